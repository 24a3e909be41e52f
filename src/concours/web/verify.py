"""The public verification page: anyone holding a certified document (printed with a code and a QR code) checks
it against the certified record. No sign-in; results only where they are published."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from concours.domain.certificate import normalise_code
from concours.i18n import N_, gettext
from concours.services import certificates
from concours.web.common import Db, Req, redirect, render

NOT_A_CODE = N_("A code is 12 letters and digits (0-9 and A-F), as printed beside the QR code, e.g. 3F2A-91C0-77B1.")


class VerifyController(Controller):
    @get("/verify")
    async def form(self, request: Req, code: FromQuery[str] = "") -> Template | Redirect:
        """The form to type a code printed on paper (a GET form: nothing changes)."""
        if not code.strip():
            return render(request, "public/verify.html", form={}, errors={}, found=None)
        normal = normalise_code(code)
        if normal is None:
            return render(
                request,
                "public/verify.html",
                status_code=400,
                form={"code": code},
                errors={"code": gettext(NOT_A_CODE)},
            )
        return redirect(certificates.verify_path(normal))

    @get("/verify/{code:str}")
    async def check(self, request: Req, db: Db, code: FromPath[str]) -> Template:
        """What the record says about this code; a code that names no certified record answers 404."""
        found = await certificates.verify(db, code)
        if found is None:
            return render(
                request,
                "public/verify.html",
                status_code=404,
                form={"code": code},
                errors={},
                found=None,
                unknown=True,
            )
        return render(request, "public/verify.html", form={}, errors={}, found=found)
