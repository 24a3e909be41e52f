"""The demo's car photos: a side-view illustration of each car, drawn with Pillow when the demo is built.

No picture is shipped or downloaded: each car is drawn in its colour from the data (two-tone where the colour
says so), its silhouette following its era and whether it is open or closed, on a lawn under a soft sky, and
handed to the photo service exactly as an upload would be (:func:`concours.services.photos.process`, then
``store``), so the sizes and thumbnails are those of real photos. Drawn at twice the size and halved (cheap
anti-aliasing); deterministic (seeded by the car).
"""

from __future__ import annotations

import functools
import io
import random
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from concours.services import photos

WIDTH, HEIGHT = 720, 480  # kept as is by the service (at most photos.FULL_SIZE); 3:2 as the field's thumbnails
SCALE = 2  # drawn at twice the size, then halved
VARIANTS = 4

RGB = tuple[int, int, int]
Point = tuple[float, float]

# Colour words, most specific first: the first that the colour's name contains gives its shade.
_SHADES: tuple[tuple[str, RGB], ...] = (
    ("racing green", (24, 66, 44)),
    ("brewster green", (30, 64, 50)),
    ("verde pino", (26, 72, 52)),
    ("dark green", (28, 70, 48)),
    ("almond green", (150, 170, 120)),
    ("irish green", (70, 130, 80)),
    ("tyrolite green", (90, 140, 120)),
    ("turquoise", (60, 165, 165)),
    ("caribbean", (80, 160, 170)),
    ("green", (50, 110, 70)),
    ("dark maroon", (80, 16, 26)),
    ("imperial maroon", (95, 18, 32)),
    ("maroon", (110, 22, 34)),
    ("burgundy", (105, 20, 40)),
    ("amaranto", (120, 20, 45)),
    ("dubonnet", (115, 20, 40)),
    ("dark red", (120, 20, 25)),
    ("rosso chiaro", (205, 40, 35)),
    ("tangerine", (230, 120, 35)),
    ("candyapple", (180, 20, 28)),
    ("red", (182, 28, 30)),
    ("rosso", (188, 26, 28)),
    ("gunmetal blue", (62, 78, 98)),
    ("nightmist", (34, 44, 72)),
    ("blu sera", (30, 40, 80)),
    ("blu scuro", (26, 38, 78)),
    ("dark blue", (28, 40, 82)),
    ("royal blue", (36, 62, 140)),
    ("bleu de france", (40, 90, 170)),
    ("blu lancia", (40, 70, 130)),
    ("packard blue", (60, 85, 130)),
    ("niagara", (70, 110, 160)),
    ("reef blue", (50, 100, 150)),
    ("thunderbird blue", (110, 160, 200)),
    ("glacier", (150, 185, 210)),
    ("opalescent silver blue", (140, 165, 190)),
    ("blu chiaro", (120, 160, 200)),
    ("light blue", (130, 170, 205)),
    ("pastel blue", (150, 185, 215)),
    ("powder blue", (160, 190, 215)),
    ("celeste", (140, 185, 215)),
    ("azzurro", (100, 150, 200)),
    ("healey blue", (80, 120, 160)),
    ("medium blue", (55, 90, 150)),
    ("blue", (45, 80, 150)),
    ("blu", (45, 75, 145)),
    ("lavender", (160, 140, 190)),
    ("purple", (90, 50, 110)),
    ("graphite", (70, 72, 78)),
    ("slate", (90, 98, 108)),
    ("cordoba", (105, 100, 95)),
    ("cornish", (120, 125, 130)),
    ("cadet", (115, 125, 140)),
    ("light grey", (185, 188, 190)),
    ("vaticano", (150, 152, 150)),
    ("silver", (178, 182, 186)),
    ("argento", (178, 182, 186)),
    ("grey", (140, 144, 148)),
    ("grigio", (140, 144, 148)),
    ("black", (24, 24, 28)),
    ("nero", (24, 24, 28)),
    ("ivory", (232, 226, 205)),
    ("cream", (236, 226, 190)),
    ("papyrus", (230, 225, 205)),
    ("white", (236, 236, 232)),
    ("bianco", (236, 236, 232)),
    ("giallo", (235, 200, 40)),
    ("primrose", (238, 215, 110)),
    ("sahara", (220, 190, 120)),
    ("champagne", (225, 205, 150)),
    ("yellow", (232, 196, 50)),
    ("persian sand", (205, 180, 140)),
    ("tan", (180, 140, 95)),
    ("sable", (110, 80, 55)),
    ("nocciola", (150, 110, 75)),
    ("marrone", (100, 65, 45)),
)
# A colour the words do not know: one of these, picked by its name.
_PALETTE: tuple[RGB, ...] = ((150, 30, 35), (35, 70, 130), (30, 75, 50), (200, 195, 180), (90, 95, 105))

_OPEN_WORDS = (
    "roadster",
    "spider",
    "spyder",
    "cabriolet",
    "convertible",
    "tour",  # tourer, touring
    "phaeton",
    "runabout",
    "tonneau",
    "raceabout",
    "speedster",
    "two-seater",
    "racer",
    "drophead",
)


def _shade(name: str) -> RGB:
    low = name.lower()
    for word, rgb in _SHADES:
        if word in low:
            return rgb
    return _PALETTE[zlib.crc32(low.encode()) % len(_PALETTE)]


def colours(name: str) -> tuple[RGB, RGB]:
    """(body, second colour): "Cream and black", "Silver over blue", "Two-tone grey" give two; else the second is
    a darker shade of the body."""
    low = name.lower()
    for sep in (" and ", " over "):
        if sep in low:
            first, second = low.split(sep, 1)
            return _shade(first), _shade(second)
    body = _shade(low)
    if low.startswith("two-tone"):
        return _mix(body, (255, 255, 255), 0.45), body
    return body, _mix(body, (0, 0, 0), 0.35)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


@dataclass(frozen=True)
class Look:
    """What decides the drawing: the era (brass, prewar, postwar, sixties), open or closed, the colours, and one of
    a few variants (the sky, the lawn, small differences of shape). Cars with the same look share one picture."""

    era: str
    open: bool
    body: RGB
    second: RGB
    variant: int


def look_for(year: int, body_style: str, colour: str, seed_text: str) -> Look:
    era = "brass" if year < 1920 else "prewar" if year < 1946 else "postwar" if year < 1960 else "sixties"
    style = body_style.lower()
    is_open = any(w in style for w in _OPEN_WORDS) or era == "brass"
    body, second = colours(colour)
    return Look(era, is_open, body, second, zlib.crc32(seed_text.encode()) % VARIANTS)


# ----------------------------------------------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------------------------------------------


def _spline(points: list[Point], steps: int = 8) -> list[Point]:
    """A closed Catmull-Rom curve through the points."""
    out: list[Point] = []
    n = len(points)
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                (
                    0.5
                    * (
                        2 * p1[0]
                        + (-p0[0] + p2[0]) * t
                        + (2 * p0[0] - 5 * p1[0] + 4 * p2[0] - p3[0]) * t2
                        + (-p0[0] + 3 * p1[0] - 3 * p2[0] + p3[0]) * t3
                    ),
                    0.5
                    * (
                        2 * p1[1]
                        + (-p0[1] + p2[1]) * t
                        + (2 * p0[1] - 5 * p1[1] + 4 * p2[1] - p3[1]) * t2
                        + (-p0[1] + 3 * p1[1] - 3 * p2[1] + p3[1]) * t3
                    ),
                )
            )
    return out


@dataclass(frozen=True)
class Profile:
    """A car's side view in car lengths (x from the front, y up from the ground)."""

    wheel_r: float
    wheels: tuple[float, float]
    body: list[Point]  # the body's outline, smoothed
    cabin: list[Point] | None  # a closed car's roof and pillars (outline, smoothed), drawn in the body colour
    windows: list[list[Point]]  # glass (straight-sided)
    fenders: list[list[Point]]  # separate wings and running boards (pre-1946), smoothed
    belt: tuple[float, float, float]  # the chrome line: x from, x to, y
    grille: tuple[float, float, float, float]  # x0, y0, x1, y1
    lamp: Point
    spokes: bool


def _profile(look: Look, rng: random.Random) -> Profile:
    j = rng.uniform(-1, 1)  # a little variety between cars of one era
    if look.era == "brass":
        body = [(0.07, 0.19), (0.07, 0.36), (0.36, 0.37), (0.44, 0.42), (0.60, 0.42), (0.64, 0.50), (0.70, 0.42),
                (0.86, 0.43), (0.92, 0.52), (0.97, 0.44), (0.96, 0.20), (0.40, 0.18)]  # fmt: skip
        fenders = [
            [(0.03, 0.25), (0.10, 0.29), (0.20, 0.29), (0.30, 0.22), (0.36, 0.15), (0.66, 0.15), (0.68, 0.14),
             (0.34, 0.13), (0.28, 0.19), (0.20, 0.26), (0.10, 0.26)],
            [(0.64, 0.16), (0.70, 0.26), (0.80, 0.29), (0.90, 0.26), (0.94, 0.22), (0.90, 0.24), (0.80, 0.26),
             (0.70, 0.23)],
        ]  # fmt: skip
        windows = [[(0.425, 0.42), (0.44, 0.62 + 0.02 * j), (0.452, 0.62 + 0.02 * j), (0.437, 0.42)]]
        return Profile(0.115, (0.19, 0.80), body, None, windows, fenders, (0.40, 0.96, 0.34), (0.045, 0.18, 0.08, 0.42),
                       (0.09, 0.44), True)  # fmt: skip
    if look.era == "prewar":
        hood = 0.35 + 0.01 * j
        body = [(0.045, 0.17), (0.05, hood), (0.44, hood + 0.015), (0.50, hood + 0.02), (0.80, hood + 0.01),
                (0.93, hood - 0.05), (0.98, 0.22), (0.96, 0.13), (0.40, 0.11)]  # fmt: skip
        fenders = [
            [(0.0, 0.15), (0.04, 0.21), (0.12, 0.245), (0.21, 0.23), (0.30, 0.17), (0.38, 0.12), (0.62, 0.12),
             (0.68, 0.19), (0.76, 0.24), (0.86, 0.23), (0.95, 0.15), (0.96, 0.115), (0.70, 0.10), (0.36, 0.10),
             (0.08, 0.13)],
        ]  # fmt: skip
        if look.open:
            cabin = None
            windows = [[(0.46, hood + 0.02), (0.49, hood + 0.13), (0.505, hood + 0.13), (0.475, hood + 0.02)]]
        else:
            top = 0.53 + 0.015 * j
            cabin = [(0.44, hood + 0.01), (0.52, top), (0.78, top), (0.90, hood - 0.02), (0.88, hood - 0.06),
                     (0.50, hood - 0.04)]  # fmt: skip
            windows = [[(0.475, hood + 0.03), (0.53, top - 0.03), (0.64, top - 0.03), (0.64, hood + 0.03)],
                       [(0.66, hood + 0.03), (0.66, top - 0.03), (0.76, top - 0.03), (0.83, hood + 0.03)]]  # fmt: skip
        return Profile(0.095, (0.15, 0.77), body, cabin, windows, fenders, (0.06, 0.93, hood - 0.03),
                       (0.03, 0.16, 0.065, hood + 0.01), (0.075, hood - 0.07), True)  # fmt: skip
    if look.era == "postwar":
        belt = 0.30 + 0.01 * j
        body = [(0.0, 0.12), (0.005, 0.23), (0.04, belt - 0.01), (0.40, belt + 0.01), (0.84, belt),
                (0.985, belt - 0.02), (1.0, 0.20), (0.99, 0.11), (0.50, 0.085), (0.03, 0.09)]  # fmt: skip
        fenders = []
        if look.open:
            cabin = None
            windows = [[(0.42, belt + 0.005), (0.47, belt + 0.11), (0.485, belt + 0.11), (0.44, belt + 0.005)]]
        else:
            top = 0.46 + 0.015 * j
            cabin = [(0.40, belt), (0.49, top), (0.66, top), (0.80, belt), (0.60, belt - 0.03)]
            lo, hi = belt + 0.015, top - 0.025
            windows = [
                [(0.43, lo), (0.50, hi), (0.575, hi), (0.575, lo)],
                [(0.595, lo), (0.595, hi), (0.655, hi), (0.75, lo)],
            ]
        return Profile(0.08, (0.17, 0.79), body, cabin, windows, fenders, (0.03, 0.97, belt - 0.05),
                       (0.0, 0.12, 0.012, 0.22), (0.03, 0.24), False)  # fmt: skip
    belt = 0.26 + 0.01 * j
    body = [(0.0, 0.11), (0.01, 0.20), (0.08, belt - 0.02), (0.42, belt + 0.005), (0.90, belt + 0.01),
            (0.995, belt), (1.0, 0.14), (0.98, 0.09), (0.50, 0.075), (0.03, 0.08)]  # fmt: skip
    fenders = []
    if look.open:
        cabin = None
        windows = [[(0.45, belt + 0.005), (0.52, belt + 0.09), (0.535, belt + 0.09), (0.47, belt + 0.005)]]
    else:
        top = 0.37 + 0.01 * j
        cabin = [(0.43, belt), (0.55, top), (0.66, top - 0.003), (0.93, belt + 0.005), (0.70, belt - 0.03)]
        lo, hi = belt + 0.012, top - 0.022
        windows = [
            [(0.47, lo), (0.555, hi), (0.625, hi), (0.625, lo)],
            [(0.645, lo), (0.645, hi), (0.665, hi), (0.79, lo)],
        ]
    return Profile(0.075, (0.16, 0.80), body, cabin, windows, fenders, (0.02, 0.99, belt - 0.06),
                   (0.0, 0.11, 0.01, 0.19), (0.025, 0.20), False)  # fmt: skip


@functools.cache
def _background(variant: int) -> Image.Image:
    """One of a few lawns and skies (drawn once each, then copied)."""
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    horizon = int(h * 0.56)
    rng = random.Random(variant)
    sky = ImageOps.colorize(
        Image.linear_gradient("L").resize((w, horizon)), black=(120, 168, 218), white=(222, 234, 242)
    )
    lawn = ImageOps.colorize(
        Image.linear_gradient("L").resize((w, h - horizon)), black=(128, 176, 92), white=(70, 128, 58)
    )
    img = Image.new("RGB", (w, h))
    img.paste(sky, (0, 0))
    img.paste(lawn, (0, horizon))
    draw = ImageDraw.Draw(img)
    # Mown stripes across the lawn, wider towards the viewer.
    y, band = float(horizon), h * 0.02
    light = False
    while y < h:
        if light:
            box = (0, int(y), w, min(h, int(y + band)))
            img.paste(img.crop(box).point(lambda v: min(255, v + 10)), box)
        y += band
        band *= 1.35
        light = not light
    # A line of trees on the horizon, and a soft cloud or two.
    x = -rng.uniform(0, w * 0.05)
    while x < w:
        r = rng.uniform(h * 0.04, h * 0.09)
        tone = rng.choice(((62, 104, 66), (74, 116, 72), (56, 94, 62)))
        draw.ellipse((x, horizon - r * 1.3, x + r * 2.2, horizon + r * 0.4), fill=tone)
        x += r * rng.uniform(1.2, 1.9)
    draw.rectangle((0, horizon, w, horizon + h * 0.01), fill=(96, 140, 80))
    for _ in range(rng.randint(1, 3)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(h * 0.06, h * 0.25), rng.uniform(h * 0.04, h * 0.07)
        for k in range(4):
            ox = (k - 1.5) * r * 0.9
            draw.ellipse(
                (cx + ox - r, cy - r * (0.8 if k in (1, 2) else 0.55), cx + ox + r, cy + r * 0.5), fill=(246, 248, 250)
            )
    return img


def _clip(points: list[tuple[float, float]], y: float, *, above: bool) -> list[tuple[float, float]]:
    """The part of a polygon above (on the image: y smaller than) or below a horizontal line."""

    def inside(pt: tuple[float, float]) -> bool:
        return pt[1] <= y if above else pt[1] >= y

    out: list[tuple[float, float]] = []
    for i, cur in enumerate(points):
        prev = points[i - 1]
        if inside(cur) != inside(prev):
            t = (y - prev[1]) / (cur[1] - prev[1])
            out.append((prev[0] + (cur[0] - prev[0]) * t, y))
        if inside(cur):
            out.append(cur)
    return out


@functools.cache
def _shadow(w: int, h: int) -> Image.Image:
    small = Image.new("L", (64, 16), 0)
    ImageDraw.Draw(small).ellipse((4, 3, 60, 13), fill=120)
    return small.filter(ImageFilter.GaussianBlur(2)).resize((w, h))


def draw(look: Look) -> Image.Image:
    """The picture, at WIDTH×HEIGHT."""
    rng = random.Random(zlib.crc32(repr(look).encode()))
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    ground = int(h * 0.84)
    img = _background(look.variant).copy()
    p = _profile(look, rng)
    tallest = max(pt[1] for pt in [*p.body, *(p.cabin or []), *(pt for win in p.windows for pt in win)])
    length = min(w * 0.84, (ground - h * 0.07) / tallest)
    x0 = (w - length) / 2

    def at(pt: Point) -> tuple[float, float]:
        return (x0 + pt[0] * length, ground - pt[1] * length)

    def poly(points: list[Point], smooth: bool = True) -> list[tuple[float, float]]:
        return [at(pt) for pt in (_spline(points) if smooth else points)]

    # The shadow: a soft dark ellipse under the car (blurred small, then stretched).
    shadow = _shadow(int(length * 1.1), int(length * 0.09))
    img.paste((30, 50, 25), (int(x0 - length * 0.05), int(ground - length * 0.045)), shadow)
    d = ImageDraw.Draw(img)

    body, second = look.body, look.second
    dark = _mix(body, (0, 0, 0), 0.45)
    tyre, chrome, glass = (28, 28, 30), (214, 218, 222), (150, 172, 190)
    r = p.wheel_r * length

    # Wheel arches (the dark inside of the body behind each wheel), then the body, shaded top and bottom.
    outline = poly(p.body)
    cabin = poly(p.cabin) if p.cabin else []
    for shape in (outline, cabin):
        if shape:
            d.polygon(shape, fill=body)
    # Shading: lighter above the waist, darker along the sills.
    top_y = ground - (p.belt[2] + 0.03) * length
    low_y = ground - p.wheel_r * 1.05 * length
    for shape in (outline, cabin):
        for part, fill in ((_clip(shape, top_y, above=True), _mix(body, (255, 255, 255), 0.14)),
                           (_clip(shape, low_y, above=False), _mix(body, (0, 0, 0), 0.18))):  # fmt: skip
            if len(part) > 2:
                d.polygon(part, fill=fill)
    if cabin and look.second != _mix(body, (0, 0, 0), 0.35):
        # A two-tone car: the roof in the second colour.
        roof = _clip(cabin, ground - (p.belt[2] + 0.05) * length, above=True)
        if len(roof) > 2:
            d.polygon(roof, fill=second)
    for fx in p.wheels:
        cx, cy = at((fx, p.wheel_r))
        if not p.fenders:
            d.pieslice((cx - r * 1.12, cy - r * 1.15, cx + r * 1.12, cy + r * 1.1), 180, 360, fill=dark)
            d.rectangle((cx - r * 1.12, cy - 2, cx + r * 1.12, cy + r * 0.3), fill=dark)
    for win in p.windows:
        d.polygon(poly(win, smooth=False), fill=glass)
        # A reflection across the glass.
        xs = [at(pt)[0] for pt in win]
        ys = [at(pt)[1] for pt in win]
        d.line((min(xs) + (max(xs) - min(xs)) * 0.3, max(ys), min(xs) + (max(xs) - min(xs)) * 0.5, min(ys)),
               fill=(200, 214, 224), width=max(2, int(length * 0.006)))  # fmt: skip
    # Wings and running boards in the second colour (black on most cars of the time).
    for fender in p.fenders:
        d.polygon(poly(fender), fill=second if look.era == "prewar" else (26, 26, 28))
    # The chrome line, the grille or radiator, the lamp.
    bx0, bx1, by = p.belt
    d.line((at((bx0, by)), at((bx1, by))), fill=chrome, width=max(2, int(length * 0.006)))
    gx0, gy0, gx1, gy1 = p.grille
    brass = (196, 160, 70) if look.era == "brass" else chrome
    d.rounded_rectangle((*at((gx0, gy1)), *at((gx1, gy0))), radius=int(length * 0.006), fill=brass)
    lx, ly = at(p.lamp)
    lr = length * (0.028 if look.era in ("brass", "prewar") else 0.016)
    d.ellipse((lx - lr, ly - lr, lx + lr, ly + lr), fill=brass)
    d.ellipse((lx - lr * 0.7, ly - lr * 0.7, lx + lr * 0.7, ly + lr * 0.7), fill=(245, 240, 215))
    if look.era in ("postwar", "sixties"):
        # Bumpers, front and back, and a red tail lamp.
        d.rounded_rectangle((*at((-0.01, 0.14)), *at((0.05, 0.115))), radius=int(length * 0.01), fill=chrome)
        d.rounded_rectangle((*at((0.95, 0.14)), *at((1.01, 0.115))), radius=int(length * 0.01), fill=chrome)
        tx, ty = at((0.99, p.belt[2] + 0.02))
        d.rectangle(
            (tx - length * 0.012, ty - length * 0.012, tx + length * 0.004, ty + length * 0.01), fill=(190, 30, 30)
        )
        # The door's shut line.
        dx = p.windows[0][0][0] + 0.03
        d.line((at((dx, p.belt[2] + 0.04)), at((dx, 0.11))), fill=dark, width=max(1, int(length * 0.002)))
    elif look.open:
        # Seat backs and a steering wheel over the door.
        sx = p.windows[0][0][0]
        d.ellipse((*at((sx + 0.07, p.belt[2] + 0.12)), *at((sx + 0.13, p.belt[2] + 0.02))), fill=(96, 60, 40))
        d.line(
            (at((sx + 0.04, p.belt[2] + 0.05)), at((sx + 0.07, p.belt[2] + 0.09))), fill=tyre, width=int(length * 0.008)
        )
    # Wheels: tyre, a white wall or wooden spokes, the rim and the hub.
    for fx in p.wheels:
        cx, cy = at((fx, p.wheel_r))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tyre)
        if look.era == "brass":
            d.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=(120, 86, 50))
            d.ellipse((cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8), fill=(70, 90, 60))
            for k in range(12):
                d.pieslice(
                    (cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8),
                    k * 30 - 6,
                    k * 30 + 6,
                    fill=(196, 160, 100),
                )
            d.ellipse((cx - r * 0.22, cy - r * 0.22, cx + r * 0.22, cy + r * 0.22), fill=(196, 160, 70))
            continue
        if look.era in ("prewar", "postwar") and (look.variant or look.era == "postwar"):
            d.ellipse((cx - r * 0.82, cy - r * 0.82, cx + r * 0.82, cy + r * 0.82), fill=(236, 236, 230))
        d.ellipse((cx - r * 0.62, cy - r * 0.62, cx + r * 0.62, cy + r * 0.62), fill=(150, 154, 158))
        if p.spokes:
            for k in range(0, 360, 15):
                d.pieslice((cx - r * 0.6, cy - r * 0.6, cx + r * 0.6, cy + r * 0.6), k, k + 4, fill=chrome)
        else:
            d.ellipse((cx - r * 0.55, cy - r * 0.55, cx + r * 0.55, cy + r * 0.55), fill=chrome)
            d.ellipse((cx - r * 0.45, cy - r * 0.45, cx + r * 0.45, cy + r * 0.45), fill=(176, 180, 186))
        d.ellipse((cx - r * 0.2, cy - r * 0.2, cx + r * 0.2, cy + r * 0.2), fill=chrome)
    return img.reduce(SCALE)


def upload(look: Look) -> photos.Upload:
    """The car's picture as its owner would send it."""
    out = io.BytesIO()
    draw(look).save(out, format="JPEG", quality=95)
    return photos.Upload("demo.jpg", out.getvalue())


def photo(look: Look) -> photos.Processed:
    """The car's picture as an upload is processed (the service's checks, re-encoding and thumbnail)."""
    sent = upload(look)
    return photos.process(sent.data, sent.filename)


def photos_for(looks: list[Look]) -> list[photos.Processed]:
    """Every car's picture, one drawing per look (blocking: run it in a worker thread)."""
    done: dict[Look, photos.Processed] = {}
    return [done[look] if look in done else done.setdefault(look, photo(look)) for look in looks]
