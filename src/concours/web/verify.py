"""The public verification page: anyone holding a certified document (printed with a code and a QR code) checks
it against the certified record. No sign-in; results only where they are published."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from concours.domain.certificate import normalise_code
from concours.i18n import N_, gettext
from concours.services import certificates
from concours.web.common import redirect, render
from concours.web.dependencies import Db, Req

NOT_A_CODE = N_("A code is 12 letters and digits (0-9 and A-F), as printed beside the QR code, e.g. 3F2A-91C0-77B1.")


def _page(request: Req, status_code: int = 200, code: str = "", **context: Any) -> Template:
    """The verification page: the code as typed (kept after a refusal), its error, or what the record says."""
    context = {"errors": {}, "found": None, **context}
    return render(
        request, "public/verify.html", status_code=status_code, form={"code": code} if code else {}, **context
    )


class VerifyController(Controller):
    @get("/verify")
    async def form(self, request: Req, code: FromQuery[str] = "") -> Template | Redirect:
        """The form to type a code printed on paper (a GET form: nothing changes)."""
        if not code.strip():
            return _page(request)
        normal = normalise_code(code)
        if normal is None:
            return _page(request, 400, code, errors={"code": gettext(NOT_A_CODE)})
        return redirect(certificates.verify_path(normal))

    @get("/verify/{code:str}")
    async def check(self, request: Req, db: Db, code: FromPath[str]) -> Template:
        """What the record says about this code; a code that names no certified record answers 404."""
        found = await certificates.verify(db, code)
        return _page(request, 404, code, unknown=True) if found is None else _page(request, found=found)
