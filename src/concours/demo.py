"""A realistic, deterministic demo: two editions of one concours, ready to explore.

``build_demo`` writes, in one transaction:

* an organizer (who is also chief judge) with a password;
* "Lakeside Concours d'Elegance 2026" in judging: twelve classes, a hundred applications in every
  state (85 accepted and placed on the field), thirty judges on class teams, and about half of the
  classes scored (some finished, two in progress, with drafts);
* the 2025 edition, published: four certified classes and twenty scored cars.

Everything comes from a seeded :class:`random.Random`, so two builds are identical (apart from
creation timestamps). ``demo_links`` issues fresh single-use sign-in links for a demo judge and a
demo entrant.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Conflict,
    Entrant,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.db.engine import Database
from concours.domain.rubric import Category, check_value
from concours.services.accounts import hash_password, issue_login_link
from concours.services.events import apply_presets, to_categories
from concours.services.permissions import Viewer
from concours.services.results import certify_class, publish
from concours.settings import Settings

SEED = 20261130
TODAY = date(2026, 11, 30)
TIMEZONE = "America/Los_Angeles"
VENUE = "The Great Lawn, Lakeside Park"

MAIN_NAME = "Lakeside Concours d'Elegance 2026"
MAIN_SLUG = "lakeside-concours-d-elegance-2026"
PAST_NAME = "Lakeside Concours d'Elegance 2025"
PAST_SLUG = "lakeside-concours-d-elegance-2025"

ORGANIZER_NAME = "Eleanor Whitfield"
ORGANIZER_EMAIL = "organizer@concours.example"
ORGANIZER_PASSWORD = "concours-demo"
DEMO_JUDGE_NAME = "Margaret Ashworth"
DEMO_JUDGE_EMAIL = "margaret.ashworth@example.com"
DEMO_JUDGE_CLASS = "M"
DEMO_ENTRANT_NAME = "Henry Caldwell"
DEMO_ENTRANT_EMAIL = "henry.caldwell@example.com"


@dataclass(frozen=True)
class DemoInfo:
    """What ``concours demo`` prints: how to get in as each audience."""

    event_name: str
    organizer_email: str
    organizer_password: str
    judge_name: str
    judge_link: str
    entrant_name: str
    entrant_link: str
    results_url: str


class DemoMissing(RuntimeError):
    """The demo has not been built in this database."""


# --------------------------------------------------------------------------------------------------
# Reference data: classes and the cars that fit them
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarModel:
    """A kind of car a class holds. ``chassis``/``engine`` are patterns: ``#`` is a digit, ``{lo-hi}``
    a number in that range (zero-padded to the width of ``lo``); an engine of ``=`` repeats the chassis."""

    year_from: int
    year_to: int
    make: str
    model: str
    body_style: str
    coachbuilder: str
    chassis: str
    engine: str
    colours: tuple[str, ...]
    note: str


def _car(
    years: str,
    make: str,
    model: str,
    body_style: str,
    coachbuilder: str,
    chassis: str,
    engine: str,
    colours: str,
    note: str = "",
) -> CarModel:
    lo, _, hi = years.partition("-")
    return CarModel(
        int(lo), int(hi or lo), make, model, body_style, coachbuilder, chassis, engine, tuple(colours.split("|")), note
    )


@dataclass(frozen=True)
class ClassSpec:
    code: str
    name: str
    description: str
    accepted: int  # cars on the field (main event)
    team_size: int
    scoring: str  # full | partial | none (main event)
    specialty: str
    preservation: bool = False


MAIN_CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(
        "A",
        "Antique Automobiles 1900–1915",
        "Brass-era cars: tiller and wheel steered, steam, electric and internal combustion.",
        7,
        2,
        "full",
        "Brass-era cars; early steam and electric",
    ),
    ClassSpec(
        "C",
        "American Classic Open",
        "Open American Full Classics of 1925–1948: roadsters, phaetons, convertible victorias.",
        8,
        3,
        "full",
        "American Full Classics; Packard, Duesenberg, Cadillac V-16",
    ),
    ClassSpec(
        "D",
        "European Classic Closed",
        "Closed European coachwork of the 1930s: coupés, saloons and limousines.",
        8,
        4,
        "full",
        "French and German coachwork of the 1930s",
    ),
    ClassSpec(
        "E",
        "European Classic Open",
        "Open European cars of 1925–1940: roadsters, cabriolets and dropheads.",
        7,
        2,
        "full",
        "Prewar European open cars; Alfa Romeo and Bugatti",
    ),
    ClassSpec(
        "G",
        "Mercedes-Benz 300 SL",
        "The 300 SL coupé (1954–1957) and roadster (1957–1963).",
        7,
        3,
        "full",
        "Mercedes-Benz 300 SL and 190 SL",
    ),
    ClassSpec(
        "H",
        "Prewar Preservation",
        "Unrestored prewar cars judged on originality and care, not on shine.",
        6,
        2,
        "partial",
        "Preservation and originality; prewar American cars",
        preservation=True,
    ),
    ClassSpec(
        "J",
        "Postwar Sports Racing",
        "Sports racing cars of 1946–1960 with period competition history.",
        7,
        3,
        "none",
        "Postwar sports racing cars; period race history",
    ),
    ClassSpec(
        "M",
        "Italian Coachbuilt 1946–1961",
        "Italian chassis with coachwork by Pinin Farina, Touring, Zagato, Bertone and their peers.",
        8,
        3,
        "partial",
        "Italian coachbuilt cars; Lancia, Alfa Romeo and Fiat specials",
    ),
    ClassSpec(
        "P",
        "Ferrari Grand Touring",
        "Ferrari road cars of 1957–1973.",
        8,
        2,
        "none",
        "Ferrari 1947–1973; factory build sheets and Classiche documentation",
    ),
    ClassSpec(
        "R",
        "Rolls-Royce Phantom",
        "Phantom I, II and III with bespoke coachwork.",
        6,
        2,
        "none",
        "Rolls-Royce and Bentley 1920–1939",
    ),
    ClassSpec(
        "S",
        "British Sports Cars",
        "British sports cars of 1950–1967.",
        7,
        2,
        "none",
        "British sports cars; Jaguar XK and E-Type",
    ),
    ClassSpec(
        "T",
        "Postwar Preservation",
        "Unrestored postwar cars: original paint, interior and drivetrain.",
        6,
        2,
        "none",
        "Postwar preservation; factory finishes and date codes",
        preservation=True,
    ),
)

PAST_CLASS_CODES = ("C", "D", "P", "S")
PAST_CARS_PER_CLASS = 5
PAST_TEAM_SIZE = 3
PAST_RETURNING_OWNERS = 8  # last year's entrants who are back this year (the demo entrant among them)

# The entries that are not (or no longer) on the field: (status, class the car fits, preferred class).
OTHER_ENTRIES: tuple[tuple[str, str, str | None], ...] = (
    ("applied", "P", "P"),
    ("applied", "J", "J"),
    ("applied", "H", None),
    ("applied", "S", "S"),
    ("applied", "D", None),
    ("waitlisted", "P", "P"),
    ("waitlisted", "G", "G"),
    ("waitlisted", "M", "M"),
    ("waitlisted", "C", "C"),
    ("declined", "S", "S"),
    ("declined", "T", "T"),
    ("declined", "A", "A"),
    ("withdrawn", "J", "J"),
    ("withdrawn", "E", "E"),
    ("withdrawn", "R", "R"),
)

# fmt: off
PREWAR = "Black|Maroon|Dark green|Royal blue|Cream and black|Two-tone grey|Burgundy"

CARS: dict[str, tuple[CarModel, ...]] = {
    "A": (
        _car("1903", "Cadillac", "Model A", "Rear-entrance tonneau", "", "{1000-2500}", "=", "Maroon|Royal blue",
             "A single-cylinder car from Cadillac's first year of production."),
        _car("1909-1911", "Ford", "Model T", "Touring", "", "{10000-70000}", "=", "Brewster green|Red|Black",
             "An early two-lever car with the brass radiator and acetylene headlamps."),
        _car("1911", "Stanley", "Model 62", "Runabout", "", "{5000-6000}", "=", "Grey|Red",
             "Steam-powered: it raises steam in about twenty minutes and runs almost silently."),
        _car("1912-1913", "Mercer", "Type 35 Raceabout", "Raceabout", "", "{1000-1500}", "{1000-1500}",
             "Yellow|Red", "Bucket seats, a monocle windscreen and a T-head four: the sports car of its day."),
        _car("1911-1912", "Rolls-Royce", "40/50 hp Silver Ghost", "Roi-des-Belges tourer", "Barker & Co.",
             "{1700-2200}", "=", "Silver|Primrose yellow|Dark green",
             "Its chassis was delivered to Barker for a tulip-backed touring body."),
        _car("1914", "Packard", "4-48", "Seven-passenger touring", "", "{14000-15500}", "=", "Packard blue|Black",
             "Packard's big six of the period, the 48-horsepower 'Forty-Eight'."),
        _car("1908", "Renault", "Type AX", "Two-seater", "", "{11000-13000}", "{2000-4000}", "Dark red|Green",
             "The little twin-cylinder two-seater that made Renault's name abroad."),
        _car("1906-1907", "Cadillac", "Model K", "Runabout", "", "{20000-30000}", "=", "Dark blue|Brewster green",
             "A one-cylinder runabout with its original planetary transmission."),
        _car("1913", "Simplex", "50 hp Speed Car", "Toy tonneau", "Holbrook", "{400-600}", "=", "Grey|White",
             "Chain-driven and capable of more than seventy miles an hour when new."),
        _car("1915", "Hudson", "Six-40", "Touring", "", "{40000-60000}", "=", "Dark blue|Black",
             "Hudson's light six, with electric starting and lighting as standard."),
        _car("1904", "Oldsmobile", "Curved Dash", "Runabout", "", "{18000-25000}", "=", "Black|Red",
             "The first mass-produced American car, steered by tiller."),
    ),
    "C": (
        _car("1931", "Cadillac", "V-16 Model 452-A", "Roadster", "Fleetwood", "70{0100-3250}", "=", PREWAR,
             "Sixteen cylinders under a louvred bonnet, with Fleetwood's roadster body."),
        _car("1932", "Packard", "Twin Six Individual Custom", "Convertible victoria", "Dietrich", "900{100-549}", "=",
             "Packard blue|Black over grey|Maroon", "One of the Individual Custom cars bodied by Dietrich."),
        _car("1933", "Duesenberg", "Model SJ", "Convertible coupe", "Walker-LaGrande", "2{400-599}", "J-{450-520}",
             "Black|Silver over blue", "Supercharged, with the external exhaust pipes of the SJ."),
        _car("1935-1936", "Auburn", "851 Speedster", "Boattail speedster", "", "{33000-35000}", "GH {2000-5000}",
             "Cigarette cream|Red|Black", "Supercharged Lycoming straight eight, dash plaque for 100 mph."),
        _car("1936-1937", "Cord", "810 Phaeton", "Phaeton", "", "FB {1000-2900}", "FB {1000-2900}",
             "Cigarette cream|Cadet grey|Cordoba grey", "Front-wheel drive and hidden headlamps."),
        _car("1931-1932", "Lincoln", "Model K", "Dual-cowl sport phaeton", "LeBaron", "K{10000-12000}", "=",
             "Black|Dark green|Tan", "A LeBaron catalogue custom on the V8 K chassis."),
        _car("1934", "Packard", "Twelve 1108", "Convertible victoria", "Dietrich", "{750000-750300}", "=",
             "Tan|Black|Packard blue", "The long-wheelbase Twelve with Dietrich's raked windscreen."),
        _car("1930", "Ruxton", "Model C", "Roadster", "", "{1000-1500}", "=", "Lavender and purple|Red",
             "A front-wheel-drive oddity with Woodlite headlamps."),
        _car("1932", "Chrysler", "CL Imperial", "Convertible roadster", "LeBaron", "780{3000-3200}",
             "CL-{1000-1250}", "Black|Dark green", "A long-bonnet Imperial on the 146-inch chassis."),
        _car("1932", "Stutz", "DV-32", "Convertible victoria", "Rollston", "DV-{1500-1800}", "=", "Black|Maroon",
             "Twin overhead camshafts and four valves a cylinder."),
        _car("1933", "Pierce-Arrow", "Twelve Model 1247", "Convertible coupe", "", "{2000000-2000400}", "=",
             "Black|Maroon|Dark green", "Pierce-Arrow's V12, with the archer mascot and fender headlamps."),
    ),
    "D": (
        _car("1937-1938", "Talbot-Lago", "T150-C SS", "Teardrop coupé", "Figoni et Falaschi", "90{000-120}",
             "85{000-200}", "Silver|Black|Bleu de France",
             "Figoni's aerodynamic 'goutte d'eau' coachwork on the short competition chassis."),
        _car("1938", "Delahaye", "135M", "Coupé", "Henri Chapron", "4{7000-9000}", "=", "Cream and maroon|Black",
             "A Chapron coupé on the 3.6-litre chassis, with a Cotal preselector gearbox."),
        _car("1936-1937", "Bugatti", "Type 57", "Atalante coupé", "Bugatti (factory)", "57{350-700}", "{200-500}",
             "Black and yellow|Blue|Black", "A factory-bodied Atalante coupé with the two-seat fixed head."),
        _car("1938", "Alfa Romeo", "8C 2900B", "Berlinetta", "Carrozzeria Touring", "412{015-035}", "422{015-035}",
             "Rosso Alfa|Silver", "Touring's Superleggera berlinetta on the long chassis."),
        _car("1937", "Mercedes-Benz", "540 K", "Coupé", "Sindelfingen", "154{000-200}", "=", "Black|Silver|Dark blue",
             "Supercharged straight eight, with the factory's own coupé body."),
        _car("1935", "Hispano-Suiza", "K6", "Coupé", "Vanvooren", "15{000-200}", "3{0000-0500}", "Black|Grey",
             "The six-cylinder Hispano with Vanvooren coachwork."),
        _car("1938", "Delage", "D8-120", "Aérosport coupé", "Letourneur et Marchand", "51{600-900}", "=",
             "Silver|Blue", "A long, low Aérosport with a split rear window."),
        _car("1934", "Voisin", "C25 Aérodyne", "Saloon", "Voisin (factory)", "50{000-050}", "=", "Silver|Dark blue",
             "A sliding steel roof and Gabriel Voisin's aviation-inspired detailing."),
        _car("1936", "Lancia", "Astura", "Berlinetta", "Pinin Farina", "33-{3000-4000}", "84-{3000-4000}",
             "Grigio|Dark red", "An early Pinin Farina design on the V8 Astura chassis."),
        _car("1939", "Lagonda", "V12", "Saloon", "", "14{000-200}", "=", "Black|Dark green",
             "W.O. Bentley's V12 for Lagonda, in saloon form."),
        _car("1934", "Maybach", "DS8 Zeppelin", "Pullman limousine", "Spohn", "1{300-400}", "=",
             "Black|Two-tone blue", "The V12 Zeppelin, among the largest German cars of the decade."),
    ),
    "E": (
        _car("1936-1937", "Mercedes-Benz", "540 K", "Special roadster", "Sindelfingen", "130{900-999}", "=",
             "Black|Red|Silver", "The Special Roadster, with the long bonnet and rear-mounted spare."),
        _car("1937-1939", "BMW", "328", "Roadster", "", "85{000-500}", "=", "White|Black|Silver",
             "The two-litre sports car that won its class at the Mille Miglia in period."),
        _car("1933-1934", "Alfa Romeo", "8C 2300", "Spider", "Zagato", "2311{100-250}", "=", "Rosso Alfa",
             "A short-chassis 8C with Zagato's spider body."),
        _car("1939", "Delahaye", "135MS", "Cabriolet", "Figoni et Falaschi", "60{100-200}", "=",
             "Blue and cream|Red", "Figoni's flowing wings and chrome spears on the 135MS."),
        _car("1935-1936", "Bentley", "3½ Litre", "Drophead coupé", "Park Ward", "B{10-200}EF", "N{1-9}BN",
             "Black|Dark green|Silver", "A Derby Bentley drophead with the Park Ward body."),
        _car("1937", "Talbot-Lago", "T150-C", "Cabriolet", "Figoni et Falaschi", "90{000-120}", "85{000-200}",
             "Black|Red", "A four-litre Talbot with Figoni's cabriolet body."),
        _car("1932", "Bugatti", "Type 55", "Roadster", "Bugatti (factory)", "55{200-240}", "{1-40}",
             "Black and yellow|Blue", "The supercharged twin-cam road car derived from the Grand Prix cars."),
        _car("1938", "Lagonda", "LG6", "Drophead coupé", "", "12{000-300}", "=", "Dark green|Black",
             "The six-cylinder Lagonda, with independent front suspension."),
        _car("1936", "Horch", "853", "Sport cabriolet", "", "853{000-999}", "=", "Ivory|Black",
             "The Horch straight eight, a rival to the 540 K in its day."),
        _car("1934", "Hispano-Suiza", "J12", "Cabriolet", "Vanvooren", "14{000-100}", "3{0000-0500}", "Black|Grey",
             "The 9.4-litre V12 Hispano-Suiza, on the long chassis."),
    ),
    "G": (
        _car("1954", "Mercedes-Benz", "300 SL", "Gullwing coupé", "", "198.040.4500{100-999}",
             "198.980.4500{100-999}", "Silver (DB 180)|Fire engine red|Light blue|Graphite grey",
             "An early car, with the two-piece luggage set."),
        _car("1955", "Mercedes-Benz", "300 SL", "Gullwing coupé", "", "198.040.5500{100-999}",
             "198.980.5500{100-999}", "Silver (DB 180)|Ivory|Black|Strawberry red",
             "Delivered with Rudge knock-off wheels."),
        _car("1956", "Mercedes-Benz", "300 SL", "Gullwing coupé", "", "198.040.6500{100-999}",
             "198.980.6500{100-999}", "Silver (DB 180)|Light blue|Graphite grey", "Ordered with fitted luggage."),
        _car("1957", "Mercedes-Benz", "300 SL", "Gullwing coupé", "", "198.040.7500{100-999}",
             "198.980.7500{100-999}", "Silver (DB 180)|Black|Ivory", "A final-year coupé."),
        _car("1957", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.7500{100-999}", "198.980.7500{100-999}",
             "Silver (DB 180)|Red (DB 534)|White", "An early roadster with its factory hardtop."),
        _car("1958", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.8500{100-999}", "198.980.8500{100-999}",
             "Silver (DB 180)|Red (DB 534)|Medium blue", "Ordered with the optional hardtop and fitted luggage."),
        _car("1959", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.9500{100-999}", "198.980.9500{100-999}",
             "Silver (DB 180)|Black|Ivory", "Period Becker radio and a hardtop."),
        _car("1960", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.10.000{100-999}",
             "198.980.10.000{100-999}", "Silver (DB 180)|Red (DB 534)|Light grey",
             "A matching-numbers car with its tool roll and jack."),
        _car("1962", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.10.002{100-999}",
             "198.980.10.002{100-999}", "Silver (DB 180)|Black|Medium blue", "A late car, with disc brakes."),
        _car("1963", "Mercedes-Benz", "300 SL", "Roadster", "", "198.042.10.003{100-258}",
             "198.982.10.000{100-258}", "Silver (DB 180)|White|Red (DB 534)",
             "One of the last roadsters, with disc brakes and the alloy block."),
    ),
    "H": (
        _car("1929-1930", "Ford", "Model A", "Tudor sedan", "", "A{1000000-4000000}", "=",
             "Niagara blue|Gunmetal blue|Black", "A Model A still on its original paint."),
        _car("1931", "Packard", "833 Standard Eight", "Sedan", "", "{190000-192000}", "=", "Packard blue|Maroon",
             "Its original mohair interior is intact."),
        _car("1930", "Cadillac", "353", "Town sedan", "Fleetwood", "{800000-811000}", "=", "Black|Dark green",
             "Cadillac's V8 in Fleetwood town-sedan form."),
        _car("1928", "Bentley", "4½ Litre", "Tourer", "Vanden Plas", "FB33{10-99}", "=", "Dark green|Black",
             "Still with its fabric-covered Vanden Plas body."),
        _car("1934", "Chrysler", "Airflow CU", "Sedan", "", "6{500000-520000}", "CU-{1000-9000}", "Grey|Dark blue",
             "The streamlined Airflow that arrived ahead of its buyers."),
        _car("1937", "Lincoln", "Zephyr", "Coupe sedan", "", "H-{10000-40000}", "=", "Black|Tan",
             "The V12 Zephyr, on its original upholstery."),
        _car("1926", "Rolls-Royce", "Phantom I", "Open tourer", "Barker & Co.", "{10-99}EC", "{1000-9000}",
             "Dark blue|Black", "An original-bodied Phantom that never left its second family for fifty years."),
        _car("1932", "Ford", "Model 18 V8", "Roadster", "", "18-{1000-100000}", "=", "Black|Tacoma cream",
             "The first-year flathead V8, unrestored."),
        _car("1936", "Packard", "120", "Convertible coupe", "", "X{100000-200000}", "=", "Black|Cream",
             "Packard's junior car, with original top and side curtains."),
        _car("1935", "Chevrolet", "Master DeLuxe", "Sport coupe", "", "{1000000-1500000}", "=",
             "Black|Dark maroon", "Bought new by a doctor and kept by his family for sixty years."),
    ),
    "J": (
        _car("1953", "Jaguar", "C-Type", "Roadster", "", "XKC {010-053}", "E1{010-060}-9", "British racing green|White",
             "A customer C-Type with disc brakes fitted in period."),
        _car("1955-1956", "Maserati", "300S", "Spider", "Fantuzzi", "30{53-85}", "=", "Rosso corsa|Silver",
             "Fantuzzi's spider body over the three-litre six."),
        _car("1958-1959", "Porsche", "718 RSK", "Spyder", "", "718-0{10-35}", "P90{100-199}", "Silver|White",
             "A mid-engined four-cam RSK."),
        _car("1954", "Ferrari", "500 Mondial", "Spider", "Pinin Farina", "0{402-572}MD", "=", "Rosso corsa|White",
             "The four-cylinder Mondial, with its original gearbox."),
        _car("1955-1956", "Austin-Healey", "100S", "Roadster", "", "AHS 38{01-55}", "1B 2{201-255}",
             "White and blue|Silver", "Built for competition, with disc brakes on all four wheels."),
        _car("1959", "Lister", "Jaguar 'Knobbly'", "Sports racer", "", "BHL {101-130}", "EE {1000-1199}-8",
             "British racing green|Silver", "The 'Knobbly' body over a Jaguar D-Type engine."),
        _car("1957-1958", "Lotus", "Eleven", "Le Mans sports racer", "", "{150-330}", "FWA {4000-5400}",
             "Silver|British racing green", "A Climax-engined Eleven with its Le Mans-style headrest."),
        _car("1956", "Porsche", "550A Spyder", "Spyder", "", "550A-0{101-140}", "P90{201-290}", "Silver",
             "The space-frame 550A, with its four-cam engine."),
        _car("1957", "Maserati", "200SI", "Spider", "Fantuzzi", "24{01-32}", "=", "Rosso corsa",
             "The two-litre four-cylinder sports racer."),
        _car("1955", "Jaguar", "D-Type", "Roadster", "", "XKD 5{01-70}", "E2{001-100}-9", "British racing green",
             "A customer D-Type with the long-nose bodywork."),
        _car("1952-1953", "Frazer Nash", "Le Mans Replica", "Sports racer", "", "421/200/{150-199}", "=",
             "Dark blue|Silver", "Bristol-engined, with its cycle wings."),
    ),
    "M": (
        _car("1947-1948", "Cisitalia", "202", "Coupé", "Pinin Farina", "{100-170}SC", "=", "Red|Silver|Grey",
             "The design that set the shape of the postwar GT."),
        _car("1953-1954", "Alfa Romeo", "1900C Sprint", "Coupé", "Carrozzeria Touring", "AR1900C {01800-02300}",
             "AR1308 {00500-01500}", "Grigio|Rosso Alfa|Blu", "A Superleggera coupé on the twin-cam 1900."),
        _car("1954-1955", "Lancia", "Aurelia B20 GT", "Coupé", "Pinin Farina", "B20-{1001-3700}", "=",
             "Grigio Vaticano|Blu Lancia|Amaranto", "The fourth-series Aurelia GT with De Dion rear axle."),
        _car("1955", "Fiat", "8V", "Berlinetta", "Zagato", "106.000{040-114}", "=", "Rosso|Argento",
             "One of the Zagato 8Vs, with the double-bubble roof."),
        _car("1957", "Maserati", "A6G/54", "Berlinetta", "Zagato", "2{101-190}", "=", "Rosso|Grigio",
             "Zagato's lightweight berlinetta on the A6G/54."),
        _car("1956-1957", "Alfa Romeo", "Giulietta Sprint Veloce", "Coupé", "Bertone", "AR149{3000-3999}",
             "AR1315{00100-00999}", "Rosso Alfa|Bianco|Azzurro", "The lightweight Veloce with Weber carburettors."),
        _car("1958-1959", "Lancia", "Flaminia Sport", "Coupé", "Zagato", "824.13.{1001-1200}", "=",
             "Grigio|Rosso", "Zagato's covered-headlamp Flaminia."),
        _car("1952", "Siata", "208S", "Spider", "Motto", "BS {501-535}", "=", "Rosso|Nero",
             "The Fiat 8V-engined Siata with a Motto spider body."),
        _car("1954", "Fiat", "1100 TV", "Coupé", "Pinin Farina", "103-0{10000-99999}", "=", "Celeste|Grigio",
             "A small coupé with very big proportions."),
        _car("1960-1961", "Maserati", "3500 GT", "Coupé", "Carrozzeria Touring", "AM101.{1000-2000}", "=",
             "Grigio|Blu|Rosso", "Touring's Superleggera body over the twin-cam straight six."),
        _car("1957-1958", "Alfa Romeo", "1900 Super Sprint", "Coupé", "Zagato", "AR1900C {10300-10600}", "=",
             "Rosso Alfa|Grigio", "A Zagato-bodied 1900 with competition history."),
    ),
    "P": (
        _car("1958", "Ferrari", "250 GT", "Coupé", "Pinin Farina", "{0850-1450}GT", "=",
             "Grigio Argento|Blu Sera|Nero", "The first series-built Ferrari, with Pinin Farina's coupé body."),
        _car("1957-1959", "Ferrari", "250 GT Berlinetta 'Tour de France'", "Berlinetta", "Scaglietti",
             "{0503-1523}GT", "=", "Rosso Corsa|Argento", "Covered-headlamp berlinetta with race history."),
        _car("1960-1962", "Ferrari", "250 GT SWB Berlinetta", "Berlinetta", "Scaglietti", "{1539-4065}GT", "=",
             "Rosso Corsa|Grigio Argento|Blu Scuro", "The short-wheelbase steel-bodied road car."),
        _car("1959-1960", "Ferrari", "250 GT California LWB Spider", "Spider", "Scaglietti", "{1055-1651}GT", "=",
             "Rosso Corsa|Bianco|Nero", "An open-headlamp California with its factory hardtop."),
        _car("1963-1964", "Ferrari", "250 GT/L Lusso", "Berlinetta", "Scaglietti", "{4103-5955}GT", "=",
             "Grigio Argento|Marrone|Azzurro", "The last of the 250 GT line."),
        _car("1966", "Ferrari", "275 GTB", "Berlinetta", "Scaglietti", "{06003-09085}", "=",
             "Rosso Corsa|Giallo Fly|Argento", "A long-nose car with torque-tube drive."),
        _car("1967-1968", "Ferrari", "275 GTB/4", "Berlinetta", "Scaglietti", "{09035-11069}", "=",
             "Rosso Corsa|Blu Chiaro|Nero", "The four-cam 275, with dry-sump lubrication."),
        _car("1971-1972", "Ferrari", "365 GTB/4 Daytona", "Berlinetta", "Scaglietti", "{12547-16000}", "=",
             "Rosso Chiaro|Giallo Fly|Argento", "A European car with the Plexiglas nose."),
        _car("1961-1962", "Ferrari", "250 GT Cabriolet Series II", "Cabriolet", "Pinin Farina", "{1737-3795}GT", "=",
             "Blu Sera|Bianco|Grigio", "A Series II cabriolet with its original soft top frame."),
        _car("1966-1967", "Ferrari", "330 GTC", "Coupé", "Pinin Farina", "{08329-10192}", "=",
             "Verde Pino|Argento|Nocciola", "The 330 GTC, Pininfarina's quiet grand tourer."),
        _car("1972", "Ferrari", "365 GTC/4", "Coupé", "Pininfarina", "{14500-16300}", "=", "Rosso Corsa|Marrone",
             "The 'gobbone', with power steering and air conditioning."),
    ),
    "R": (
        _car("1926-1927", "Rolls-Royce", "Phantom I", "Pall Mall tourer",
             "Rolls-Royce Custom Coach Work (Springfield)", "S{100-399}FP", "{20000-24999}",
             "Brewster green|Black|Maroon", "A Springfield-built Phantom, assembled in Massachusetts."),
        _car("1929", "Rolls-Royce", "Phantom I", "Ascot tourer", "Brewster", "S{100-399}KP", "{20000-24999}",
             "Brewster green|Black", "The Ascot dual-cowl tourer by Brewster of New York."),
        _car("1930-1932", "Rolls-Royce", "Phantom II Continental", "Sports saloon", "Barker & Co.", "{10-200}MW",
             "TW{10-99}", "Black|Silver|Dark blue", "The short-chassis Continental, built for fast touring."),
        _car("1933", "Rolls-Royce", "Phantom II Continental", "Drophead coupé", "Park Ward", "{10-200}MW",
             "TW{10-99}", "Black|Ivory|Dark green", "A Park Ward drophead with a dickey seat."),
        _car("1934", "Rolls-Royce", "Phantom II", "Sedanca de ville", "Thrupp & Maberly", "{10-200}RY", "SY{10-99}",
             "Black and maroon|Black", "An open chauffeur's compartment and a formal rear saloon."),
        _car("1937", "Rolls-Royce", "Phantom III", "Sedanca de ville", "H.J. Mulliner", "3BU{10-200}", "=",
             "Black|Two-tone grey", "The V12 Phantom III with H.J. Mulliner's sedanca body."),
        _car("1938", "Rolls-Royce", "Phantom III", "Limousine", "Hooper", "3CP{10-200}", "=", "Black|Dark blue",
             "A Hooper limousine, with its division and occasional seats."),
        _car("1936", "Rolls-Royce", "Phantom III", "Drophead coupé", "Barker & Co.", "3AZ{10-240}", "=",
             "Black|Silver", "An early Phantom III with a Barker drophead body."),
        _car("1931", "Rolls-Royce", "Phantom II", "Boat-tail tourer", "Barker & Co.", "{10-200}GY", "=",
             "Silver|Dark blue", "A boat-tail tourer with a varnished wooden deck."),
        _car("1939", "Rolls-Royce", "Phantom III", "Sports saloon", "Park Ward", "3DL{10-200}", "=",
             "Black|Dark green", "A late Phantom III with the overdrive gearbox."),
        _car("1928", "Rolls-Royce", "Phantom I", "Phaeton", "Hooper", "{10-99}EF", "=", "Black|Maroon",
             "A Derby-built Phantom with Hooper's open body."),
    ),
    "S": (
        _car("1951-1954", "Jaguar", "XK120", "Roadster", "", "67{0200-2000}", "W{1000-9999}-8",
             "Old English White|British racing green|Black|Pastel blue",
             "A steel-bodied XK120 with its original engine."),
        _car("1958-1959", "Austin-Healey", "100-6", "Roadster", "", "BN4-L/{40000-70000}", "26D/RU/H{1000-9999}",
             "Healey blue|Colorado red|Old English White", "The 2+2 BN4 with the six-cylinder C-series engine."),
        _car("1961-1962", "Jaguar", "E-Type Series 1 3.8", "Roadster", "", "87{5001-6999}", "R{1000-9999}-9",
             "Opalescent silver grey|Carmen red|British racing green", "A flat-floor car with outside bonnet locks."),
        _car("1956-1959", "MG", "MGA 1500", "Roadster", "", "HDL43/{10000-68000}", "15GB-U-H{1000-9999}",
             "Tyrolite green|Orient red|Glacier blue", "The first MG with an all-new body since the war."),
        _car("1958-1959", "Triumph", "TR3A", "Roadster", "", "TS{22000-60000}L", "TS{22000-60000}E",
             "Signal red|Powder blue|Primrose yellow", "The wide-mouth TR with disc front brakes."),
        _car("1959-1960", "AC", "Ace Bristol", "Roadster", "", "BEX {1000-1200}", "100D2{100-999}",
             "Silver|British racing green", "Bristol's two-litre six in the Ace."),
        _car("1955", "Aston Martin", "DB2/4", "Drophead coupé", "Mulliner", "LML/{800-1000}", "VB6J/{500-900}",
             "Almond green|Silver birch", "A 2.9-litre DB2/4 with the Mulliner drophead body."),
        _car("1964-1965", "Aston Martin", "DB5", "Coupé", "Carrozzeria Touring (Superleggera)",
             "DB5/{1251-2275}/L", "400/{1200-2300}", "Silver birch|Dubonnet rosso|Caribbean pearl",
             "A left-hand-drive DB5 with the ZF gearbox."),
        _car("1964-1965", "Lotus", "Elan S1", "Roadster", "", "26/{3000-4000}", "LP{5000-9999}",
             "Cirrus white|Carnival red", "Twin-cam Elan with the backbone chassis."),
        _car("1958-1960", "Jaguar", "XK150 S 3.4", "Roadster", "", "T8{31001-32200}DN", "VS{1000-2300}-9",
             "Cornish grey|Imperial maroon|Black", "Triple SU carburettors and overdrive."),
        _car("1967", "Austin-Healey", "3000 Mk III BJ8", "Convertible", "", "HBJ8L/{38000-43000}",
             "29K/RU/H{1000-9999}", "Healey blue and white|Colorado red", "The last of the big Healeys."),
    ),
    "T": (
        _car("1957", "Chevrolet", "Bel Air", "Sport coupe", "", "VC57F{100000-199999}", "F{1000-9999}EJ",
             "Tropical turquoise|India ivory|Matador red", "Still wearing its original paint and dealer badge."),
        _car("1955", "Ford", "Thunderbird", "Convertible", "", "P5FH{100000-260000}", "ECZ-{1000-9999}",
             "Thunderbird blue|Raven black|Torch red", "A first-year Thunderbird with both its tops."),
        _car("1963", "Porsche", "356B 1600 Super", "Coupé", "Reutter", "2{10000-14999}", "P{600000-604999}",
             "Slate grey|Ruby red|Champagne yellow", "Original paint and its Blaupunkt radio."),
        _car("1959", "Cadillac", "Eldorado Biarritz", "Convertible", "", "59E0{01000-01320}", "=",
             "Persian sand|Olympic white|Seminole red", "Tailfins, a power top and its original leather."),
        _car("1964", "Mercedes-Benz", "230 SL", "Roadster", "", "113.042.10.0{01000-09000}",
             "127.981.10.0{01000-09000}", "Papyrus white|Signal red|Light blue", "A 'Pagoda' with its hardtop."),
        _car("1966", "Ford", "Mustang GT", "Fastback", "", "6F09A{100000-299999}", "A{1000-9999}",
             "Wimbledon white|Candyapple red|Nightmist blue", "A GT fastback with its original window sticker."),
        _car("1953", "Buick", "Skylark", "Convertible", "", "1{6000000-6999999}", "=",
             "Sahara yellow|Reef blue|Matador red", "The cut-down Skylark with wire wheels."),
        _car("1967", "Jaguar", "E-Type 4.2", "Fixed-head coupé", "", "1E3{0000-4999}", "7E{10000-19999}-9",
             "Opalescent silver blue|Signal red|Sable", "A late Series 1 with its original upholstery."),
        _car("1969", "Porsche", "911S", "Coupé", "", "1193{00001-01492}", "63{00100-00999}",
             "Tangerine|Irish green|Slate grey", "A two-litre 911S with Fuchs wheels."),
        _car("1962", "Chrysler", "300H", "Hardtop coupe", "", "8423{100000-999999}", "=",
             "Formal black|Festival red", "The letter-series Chrysler, with its original wedge V8."),
        _car("1956-1957", "Mercedes-Benz", "190 SL", "Roadster", "", "121.040.65.0{01000-09999}",
             "121.921.65.0{01000-09999}", "Papyrus white|Strawberry red|Light blue", "Never restored, two owners."),
    ),
}

MAKE_COUNTRY = {
    "Cadillac": "us", "Ford": "us", "Stanley": "us", "Mercer": "us", "Packard": "us", "Simplex": "us",
    "Hudson": "us", "Oldsmobile": "us", "Duesenberg": "us", "Auburn": "us", "Cord": "us", "Lincoln": "us",
    "Ruxton": "us", "Chrysler": "us", "Stutz": "us", "Pierce-Arrow": "us", "Chevrolet": "us", "Buick": "us",
    "Rolls-Royce": "uk", "Bentley": "uk", "Lagonda": "uk", "Jaguar": "uk", "Austin-Healey": "uk", "Lister": "uk",
    "Lotus": "uk", "Frazer Nash": "uk", "MG": "uk", "Triumph": "uk", "AC": "uk", "Aston Martin": "uk",
    "Renault": "fr", "Talbot-Lago": "fr", "Delahaye": "fr", "Bugatti": "fr", "Hispano-Suiza": "fr",
    "Delage": "fr", "Voisin": "fr",
    "Alfa Romeo": "it", "Lancia": "it", "Maserati": "it", "Ferrari": "it", "Cisitalia": "it", "Fiat": "it",
    "Siata": "it",
    "Mercedes-Benz": "de", "BMW": "de", "Horch": "de", "Maybach": "de", "Porsche": "de",
}
# fmt: on

DELIVERED_IN = {
    "us": ("Pasadena", "San Francisco", "Chicago", "New York", "Detroit", "Philadelphia", "Boston", "Cleveland"),
    "uk": ("London", "Edinburgh", "Manchester", "Bombay", "Nairobi", "Melbourne"),
    "fr": ("Paris", "Lyon", "Nice", "Monte Carlo", "Brussels"),
    "it": ("Milan", "Turin", "Rome", "Geneva", "Caracas"),
    "de": ("Stuttgart", "Berlin", "Munich", "New York", "Zurich"),
}
FIRST_OWNERS = (
    "a banker",
    "a textile manufacturer",
    "a film producer",
    "a physician",
    "an industrialist",
    "a department-store owner",
    "a diplomat",
    "an architect",
    "an oil executive",
    "a newspaper publisher",
    "a shipowner",
    "a lawyer",
)
RACING_OWNERS = ("an amateur racing driver", "a privateer team", "a gentleman driver", "a works-supported privateer")
REGIONS = (
    "California",
    "Connecticut",
    "Switzerland",
    "the Netherlands",
    "Sweden",
    "Ohio",
    "England",
    "Texas",
    "Belgium",
    "Japan",
    "Germany",
    "Oregon",
)
SHOPS = (
    "Harwood Coachworks",
    "Marston & Vale Restorations",
    "Pacific Classic Restoration",
    "Bellweather Motor Works",
    "Ashcombe Engineering",
    "Officina Ferraresi",
    "Atelier Morel",
    "Kessler Klassik",
    "Redwood Motorcar Company",
    "Cheltenham Carriage Works",
)

# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

# fmt: off
ANGLO_FIRST = (
    "James", "Robert", "William", "Charles", "Thomas", "Edward", "Richard", "David", "Peter", "Michael", "John",
    "George", "Andrew", "Philip", "Nicholas", "Christopher", "Jonathan", "Daniel", "Stephen", "Mary", "Elizabeth",
    "Catherine", "Susan", "Anne", "Helen", "Sarah", "Victoria", "Caroline", "Julia", "Alice", "Laura", "Rebecca",
    "Diana", "Frances", "Grace", "Benjamin", "Samuel", "Patricia", "Douglas", "Walter",
)
ANGLO_LAST = (
    "Abernathy", "Ashford", "Bancroft", "Barrington", "Beaumont", "Bellamy", "Blackwood", "Bradshaw", "Carrington",
    "Chandler", "Dalton", "Davenport", "Ellison", "Fairbanks", "Fletcher", "Forsythe", "Garrison", "Grayson",
    "Hadley", "Hargrove", "Hastings", "Holloway", "Kendall", "Langley", "Lockwood", "Mansfield", "Morrow",
    "Norwood", "Pemberton", "Prescott", "Radcliffe", "Redmond", "Sinclair", "Stanton", "Sutherland", "Thornton",
    "Underwood", "Wainwright", "Whitmore", "Winslow", "Yardley", "O'Brien", "MacLeod", "Okafor", "Chen", "Patel",
    "Alvarez", "Nguyen", "Kowalski", "Brennan",
)
# fmt: on
ITALIAN = (
    ("Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Paolo", "Elena"),
    ("Rossi", "Bianchi", "Colombo", "Ferraro", "Galli", "Marchetti", "Conti", "Moretti"),
)
GERMAN = (
    ("Hans", "Katrin", "Jürgen", "Sabine", "Matthias", "Anja", "Stefan", "Ulrike"),
    ("Weber", "Fischer", "Hoffmann", "Schäfer", "Wagner", "Becker", "Keller", "Brandt"),
)
FRENCH = (
    ("Pierre", "Sophie", "Sébastien", "Amélie", "Laurent", "Claire", "Olivier", "Hélène"),
    ("Bertrand", "Moreau", "Girard", "Fournier", "Dubois", "Lefèvre", "Marchand", "Rousseau"),
)
JAPANESE = (
    ("Hiroshi", "Yuki", "Kenji", "Akiko", "Takashi", "Naoko"),
    ("Tanaka", "Nakamura", "Watanabe", "Yamamoto", "Kobayashi", "Sato"),
)

# (weight, (first names, last names), homes: (city, country, phone style, area code))
HomeT = tuple[str, str, str, str]
PEOPLE_GROUPS: tuple[tuple[int, tuple[Sequence[str], Sequence[str]], tuple[HomeT, ...]], ...] = (
    (
        62,
        (ANGLO_FIRST, ANGLO_LAST),
        (
            ("Pasadena", "United States", "us", "626"),
            ("San Francisco", "United States", "us", "415"),
            ("Los Angeles", "United States", "us", "310"),
            ("Carmel-by-the-Sea", "United States", "us", "831"),
            ("Portland", "United States", "us", "503"),
            ("Seattle", "United States", "us", "206"),
            ("Scottsdale", "United States", "us", "480"),
            ("Santa Barbara", "United States", "us", "805"),
            ("Greenwich", "United States", "us", "203"),
            ("Houston", "United States", "us", "713"),
            ("Chicago", "United States", "us", "312"),
            ("Naples", "United States", "us", "239"),
            ("Palo Alto", "United States", "us", "650"),
            ("Sacramento", "United States", "us", "916"),
        ),
    ),
    (
        10,
        (ANGLO_FIRST, ANGLO_LAST),
        (
            ("London", "United Kingdom", "uk", ""),
            ("Bath", "United Kingdom", "uk", ""),
            ("Guildford", "United Kingdom", "uk", ""),
        ),
    ),
    (
        6,
        (ANGLO_FIRST, ANGLO_LAST),
        (("Vancouver", "Canada", "us", "604"), ("Toronto", "Canada", "us", "416")),
    ),
    (4, (ANGLO_FIRST, ANGLO_LAST), (("Melbourne", "Australia", "au", ""),)),
    (6, ITALIAN, (("Milan", "Italy", "", ""), ("Modena", "Italy", "", ""), ("Turin", "Italy", "", ""))),
    (6, GERMAN, (("Munich", "Germany", "", ""), ("Stuttgart", "Germany", "", ""), ("Zurich", "Switzerland", "", ""))),
    (4, FRENCH, (("Paris", "France", "", ""), ("Lyon", "France", "", ""), ("Geneva", "Switzerland", "", ""))),
    (2, JAPANESE, (("Tokyo", "Japan", "", ""), ("Osaka", "Japan", "", ""))),
)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    city: str
    country: str


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = [re.sub(r"[^a-z]", "", p) for p in ascii_name.split()]
    return ".".join(p for p in parts if p) + "@example.com"


def _phone(rng: random.Random, style: str, area: str) -> str:
    # Numbers from ranges reserved for fiction: 555-01xx (North America), 020 7946 0xxx (UK), 03 5550 xxxx (AU).
    if style == "us":
        return f"+1 {area} 555 01{rng.randint(0, 99):02d}"
    if style == "uk":
        return f"+44 20 7946 0{rng.randint(0, 999):03d}"
    if style == "au":
        return f"+61 3 5550 {rng.randint(0, 9999):04d}"
    return ""


def make_people(rng: random.Random, count: int, taken: set[str]) -> list[Person]:
    """``count`` people with distinct names (and e-mails) not in ``taken``; adds theirs to it."""
    weights = [g[0] for g in PEOPLE_GROUPS]
    out: list[Person] = []
    while len(out) < count:
        _, (firsts, lasts), homes = rng.choices(PEOPLE_GROUPS, weights)[0]
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        email = _email(name)
        if name in taken or email in taken:
            continue
        taken.update((name, email))
        city, country, style, area = rng.choice(homes)
        out.append(Person(name, email, _phone(rng, style, area), city, country))
    return out


# --------------------------------------------------------------------------------------------------
# Cars and their stories
# --------------------------------------------------------------------------------------------------

_RANGE = re.compile(r"\{(\d+)-(\d+)\}")


def _number(rng: random.Random, pattern: str) -> str:
    text = _RANGE.sub(lambda m: str(rng.randint(int(m[1]), int(m[2]))).zfill(len(m[1])), pattern)
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in text)


@dataclass
class CarPlan:
    model: CarModel
    year: int
    chassis: str
    engine: str
    colour: str
    state: str
    history: str
    restoration_notes: str
    prior_awards: str
    quality: float  # 0..1: how well it will score


def _history(rng: random.Random, m: CarModel, year: int, state: str, class_code: str) -> tuple[str, str, str]:
    """(history, restoration notes, prior awards) for one car: a few sentences that hang together."""
    country = MAKE_COUNTRY.get(m.make, "us")
    racing = class_code == "J"
    owner = rng.choice(RACING_OWNERS if racing else FIRST_OWNERS)
    month = rng.choice(("January", "March", "April", "May", "June", "September", "October"))
    parts = [f"Delivered new in {month} {year} to {owner} in {rng.choice(DELIVERED_IN[country])}."]
    if m.note:
        parts.append(m.note)
    if racing:
        parts.append(f"Raced in period in {rng.choice(REGIONS)}, with a class win in {year + rng.randint(0, 3)}.")
    # The story's years run forward: y1 (the middle chapter starts), free (it ends), the restoration, today.
    y1 = rng.randint(year + 6, min(year + 45, 2015))
    span = rng.randint(5, max(5, min(30, 2020 - y1)))
    middle, free = rng.choice(
        (
            (
                f"It stayed with its first family until {y1}, when it passed to a collector in {rng.choice(REGIONS)}.",
                y1,
            ),
            (f"From {y1} it spent {span} years in a private collection in {rng.choice(REGIONS)}.", y1 + span),
            (f"It was laid up in {y1} and found again, complete and unmolested, {span} years later.", y1 + span),
            (f"It has had only {rng.randint(3, 6)} owners since it left {rng.choice(REGIONS)} in {y1}.", y1),
        )
    )
    parts.append(middle)
    shop = rng.choice(SHOPS)
    ry = rng.randint(max(year + 30, 1975, free), 2025)
    if state == "restored":
        detail = rng.choice(
            (
                ", keeping its original body panels and interior woodwork",
                ", with the engine rebuilt to factory specification",
                ", researched from the factory build records",
                ", in its original colour combination",
            )
        )
        parts.append(f"A body-off restoration by {shop} was completed in {ry}{detail}.")
        notes = f"Body-off restoration by {shop}, completed {ry}. Engine, gearbox and axle rebuilt; paint to original."
    elif state == "preservation":
        parts.append(
            "It has never been restored: paint, upholstery and drivetrain are as delivered, with "
            "mechanical recommissioning only."
        )
        notes = f"Never restored. Recommissioned by {shop} in {ry}: brakes, fuel system and cooling only."
    else:
        parts.append(f"Largely original, with the paint refreshed in {ry} and the interior untouched.")
        notes = f"Original car; paint refreshed by {shop} in {ry}."
    parts.append(f"The present owner acquired it in {rng.randint(max(free, ry - 8), 2025)}.")
    awards = ""
    if rng.random() < 0.3:
        ay = rng.randint(max(ry, 2000), 2025)
        awards = rng.choice(
            (
                f"First in Class, {ay} regional concours",
                f"Best in Class, {ay} marque club national meet",
                f"People's Choice, {ay} Santa Barbara Motor Club show",
                f"Award of Excellence, {ay} club concours",
            )
        )
    return " ".join(parts), notes, awards


class CarDeck:
    """Draws cars that fit a class: each model once before any repeats, chassis numbers never twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decks: dict[str, list[CarModel]] = {}
        self.chassis_seen: set[str] = set()

    def draw(self, class_code: str, *, preservation: bool = False, quality: float | None = None) -> CarPlan:
        rng = self.rng
        deck = self.decks.setdefault(class_code, [])
        if not deck:
            deck.extend(rng.sample(CARS[class_code], len(CARS[class_code])))
        m = deck.pop()
        year = rng.randint(m.year_from, m.year_to)
        chassis = _number(rng, m.chassis)
        while chassis in self.chassis_seen:
            chassis = _number(rng, m.chassis)
        self.chassis_seen.add(chassis)
        engine = chassis if m.engine == "=" else _number(rng, m.engine)
        if preservation:
            state = "preservation" if rng.random() < 0.8 else "original"
        else:
            state = "restored" if rng.random() < 0.88 else rng.choice(("preservation", "original"))
        history, notes, awards = _history(rng, m, year, state, class_code)
        q = quality if quality is not None else rng.uniform(0.45, 0.97)
        return CarPlan(m, year, chassis, engine, rng.choice(m.colours), state, history, notes, awards, q)


# --------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------

LINE_NOTES: dict[str, tuple[str, ...]] = {
    "authenticity": (
        "Wrong-period tyres: radials where cross-plies are correct",
        "Reproduction hose clamps",
        "Modern battery without a period cover",
        "Incorrect radiator cap",
        "Alternator fitted in place of the dynamo",
        "Upholstery in the wrong grain of leather",
        "Later-type carburettors",
        "Non-original steering wheel",
        "Plated parts that were painted from the factory",
        "Modern fasteners on the engine covers",
        "Incorrect wiring colours",
        "Aftermarket seat belts",
    ),
    "condition": (
        "Orange peel in the paint on the bonnet",
        "Stone chips on the leading edge of the front wings",
        "Light pitting on the bumper chrome",
        "Wear on the driver's seat bolster",
        "Oil weep at the rear main seal",
        "Scuffed sill plates",
        "Crazing on the steering wheel rim",
        "Polishing swirls in the paint",
        "Uneven door gaps on the passenger side",
        "Surface rust on the exhaust",
        "Dust and fluid residue in the engine bay",
        "Small tear in the hood fabric",
    ),
    "operations": (
        "Horn weak",
        "Fuel gauge inoperative",
        "Clock not running",
        "Left indicator inoperative",
        "Slow to start",
        "Brake light out",
    ),
    "elegance": (
        "Superb proportions",
        "Striking colour combination",
        "Period luggage adds presence",
        "Colour choice dulls the lines",
        "Wheel trims distract from the line",
        "Beautifully balanced coachwork",
    ),
}
COMMENTS_HIGH = (
    "An outstanding car, correct in almost every detail. Congratulations to the owner and the restorer.",
    "Exceptional presentation; the small authenticity points noted are easily put right.",
    "A benchmark example of the model. Thank you for bringing it.",
    "Superb in every area we looked at; the function check was faultless.",
)
COMMENTS_MID = (
    "A well-presented car with good documentation. Attention to the details noted would lift the score.",
    "A sound restoration; finishes under the bonnet let it down slightly.",
    "Very good car. Correct tyres and a few finish details would make it a contender.",
    "Lovely car to judge, and a credible history. See the notes for where points went.",
)
COMMENTS_LOW = (
    "An honest car that shows its age; the notes say where the points were lost.",
    "Good effort, but several non-original parts cost authenticity points.",
    "Presentation needs work before the next show: paint and brightwork especially.",
)
COMMENTS_PRESERVATION = (
    "A remarkable survivor. Please keep it original.",
    "Wonderful patina and a credible, documented history.",
    "Honest wear throughout, and very well cared for. A pleasure to see it unrestored.",
)


@dataclass
class LinePlan:
    category_id: int
    value_units: int
    note: str


@dataclass
class SheetPlan:
    lines: list[LinePlan]
    comment: str

    @property
    def total(self) -> int:
        return sum(ln.value_units for ln in self.lines)


def _snap(units: float, step: int, top: int) -> int:
    return max(0, min(top, int(round(units / step)) * step))


def score_sheet(
    rng: random.Random,
    categories: Sequence[Category],
    scale: int,
    quality: float,
    *,
    preservation: bool = False,
    lines: int | None = None,
    comment_odds: float = 0.85,
) -> SheetPlan:
    """One judge's sheet for a car of this ``quality``: small deductions for good cars, notes where
    points went. ``lines`` limits it to the first few categories (a sheet in progress)."""
    out: list[LinePlan] = []
    for c in categories[: len(categories) if lines is None else lines]:
        assert c.id is not None
        note = ""
        if c.mode == "deduction":
            if c.key == "operations":
                deduction = 0 if rng.random() < 0.85 else rng.choice((1, 2)) * c.step_units
            else:
                share = 0.16 if c.key == "authenticity" else 0.17
                deduction = _snap(
                    rng.gauss((1 - quality) * c.max_units * share, c.step_units * 1.6), c.step_units, c.max_units
                )
            notes = LINE_NOTES.get(c.key, ())
            if notes and deduction and (deduction >= 2 * c.step_units or rng.random() < 0.4):
                note = rng.choice(notes) if rng.random() < 0.8 or c.key == "operations" else ""
            value = c.max_units - deduction
        else:
            value = _snap(
                rng.gauss(c.max_units * (0.7 + 0.25 * quality), c.step_units * 1.4), c.step_units, c.max_units
            )
            if LINE_NOTES.get(c.key) and rng.random() < 0.15:
                note = rng.choice(LINE_NOTES[c.key])
        check_value(c, value, scale)
        out.append(LinePlan(c.id, value, note))
    comment = ""
    if rng.random() < comment_odds:
        pool = (
            COMMENTS_PRESERVATION
            if preservation
            else COMMENTS_HIGH
            if quality > 0.82
            else COMMENTS_MID
            if quality > 0.6
            else COMMENTS_LOW
        )
        comment = rng.choice(pool)
    return SheetPlan(out, comment)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------

RANKS = ("apprentice", "judge", "senior", "master")
# A judge's place on this year's field: (person, judge row, class code, captain?).
JudgeSeat = tuple[Person, Judge, str, bool]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall time at the events' venue, as an aware datetime (stored in UTC)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)


@dataclass
class EntryRow:
    entry: Entry
    plan: CarPlan
    owner: Person


@dataclass
class EditionResult:
    event: Event
    classes: dict[str, EventClass]
    entries_by_class: dict[str, list[EntryRow]] = field(default_factory=dict)


class DemoBuilder:
    """Writes the demo through one session; flushes only where ids are needed."""

    def __init__(self, session: AsyncSession, password_hash: str) -> None:
        self.session = session
        self.password_hash = password_hash
        self.rng = random.Random(SEED)
        self.users: dict[str, User] = {}
        self.entrants: dict[str, Entrant] = {}
        self.judges: dict[str, Judge] = {}
        self.past_teams: dict[str, list[Judge]] = {}

    # People ---------------------------------------------------------------------------------------

    async def _accounts(self, entrants: list[Person], judges: list[tuple[Person, Judge]]) -> None:
        """Users, entrant and judge rows for everyone, reusing any account that already exists."""
        s = self.session
        emails = [ORGANIZER_EMAIL] + [p.email for p in entrants] + [p.email for p, _ in judges]
        self.users = {u.email: u for u in (await s.scalars(select(User).where(User.email.in_(emails)))).all()}
        organizer = self.users.get(ORGANIZER_EMAIL)
        if organizer is None:
            organizer = User(email=ORGANIZER_EMAIL, name=ORGANIZER_NAME, is_organizer=True)
            self.users[ORGANIZER_EMAIL] = organizer
        organizer.password_hash, organizer.is_organizer, organizer.is_active = self.password_hash, True, True
        for p in [*entrants, *(p for p, _ in judges)]:
            if p.email not in self.users:
                self.users[p.email] = User(email=p.email, name=p.name)
        s.add_all(self.users.values())
        await s.flush()
        user_ids = [u.id for u in self.users.values()]
        have_entrant = {
            e.user_id: e for e in (await s.scalars(select(Entrant).where(Entrant.user_id.in_(user_ids)))).all()
        }
        have_judge = {j.user_id: j for j in (await s.scalars(select(Judge).where(Judge.user_id.in_(user_ids)))).all()}
        for p in entrants:
            uid = self.users[p.email].id
            self.entrants[p.email] = have_entrant.get(uid) or Entrant(
                user_id=uid, phone=p.phone, city=p.city, country=p.country
            )
        for p, judge in judges:
            uid = self.users[p.email].id
            existing = have_judge.get(uid)
            if existing is None:
                judge.user_id = uid
                existing = judge
            self.judges[p.email] = existing
        s.add_all([*self.entrants.values(), *self.judges.values()])

    # Events ---------------------------------------------------------------------------------------

    async def _event(self, **fields: object) -> Event:
        event = Event(**fields)
        self.session.add(event)
        await self.session.flush()
        await apply_presets(self.session, event, "class_placings")
        organizer = self.users[ORGANIZER_EMAIL]
        self.session.add_all(
            [
                EventStaff(event_id=event.id, user_id=organizer.id, role="organizer"),
                EventStaff(event_id=event.id, user_id=organizer.id, role="chief_judge"),
            ]
        )
        return event

    async def _categories(self, event: Event) -> list[Category]:
        rows = (
            await self.session.scalars(select(RubricCategory).where(RubricCategory.rubric_id == event.rubric_id))
        ).all()
        return to_categories(list(rows))

    # The whole thing ------------------------------------------------------------------------------

    async def build(self) -> None:
        rng = self.rng
        s = self.session
        taken = {DEMO_JUDGE_NAME, DEMO_JUDGE_EMAIL, DEMO_ENTRANT_NAME, DEMO_ENTRANT_EMAIL, ORGANIZER_NAME}
        demo_entrant = Person(DEMO_ENTRANT_NAME, DEMO_ENTRANT_EMAIL, "+1 626 555 0142", "Pasadena", "United States")
        main_owners = [demo_entrant, *make_people(rng, 93, taken)]
        past_newcomers = make_people(rng, len(PAST_CLASS_CODES) * PAST_CARS_PER_CLASS - PAST_RETURNING_OWNERS, taken)
        demo_judge = Person(DEMO_JUDGE_NAME, DEMO_JUDGE_EMAIL, "+1 415 555 0177", "San Francisco", "United States")
        judge_people = [demo_judge, *make_people(rng, sum(c.team_size for c in MAIN_CLASSES) - 1, taken)]
        judge_plan = self._plan_judges(judge_people)
        await self._accounts([*main_owners, *past_newcomers], [(p, j) for p, j, _, _ in judge_plan])
        judge_plan = [(p, self.judges[p.email], code, captain) for p, _, code, captain in judge_plan]

        main = await self._event(
            slug=MAIN_SLUG,
            name=MAIN_NAME,
            venue=VENUE,
            starts_on=date(2026, 11, 29),
            ends_on=date(2026, 11, 30),
            timezone=TIMEZONE,
            status="judging",
            description=(
                "Two days on the shore of the lake: the Tour d'Elegance on Sunday, and on Monday the concours "
                "itself, with eighty-five invited cars in twelve classes judged on the Great Lawn. Judges' "
                "meeting 7:30, class judging 8:30–12:00, awards ramp from 14:00."
            ),
            registration_closes_at=_at(date(2026, 9, 15), 23, 59),
            terms_text=(
                "The entrant accepts the event's liability release. The owner or a named representative is present "
                "at judging; no cleaning during judging; doors, bonnet and boot closed until a judge asks."
            ),
        )
        past = await self._event(
            slug=PAST_SLUG,
            name=PAST_NAME,
            venue=VENUE,
            starts_on=date(2025, 11, 29),
            ends_on=date(2025, 11, 30),
            timezone=TIMEZONE,
            status="judging",
            description="The 2025 edition: twenty invited cars in four classes on the Great Lawn.",
            registration_closes_at=_at(date(2025, 9, 15), 23, 59),
        )
        main_ed = EditionResult(main, self._classes(main, [c.code for c in MAIN_CLASSES]))
        past_ed = EditionResult(past, self._classes(past, list(PAST_CLASS_CODES)))
        await s.flush()  # class, entrant and judge ids

        deck = CarDeck(rng)
        self._main_entries(main_ed, deck, main_owners)
        past_deck = CarDeck(random.Random(SEED + 2025))
        past_owners = [demo_entrant, *rng.sample(main_owners[1:], PAST_RETURNING_OWNERS - 1), *past_newcomers]
        self._past_entries(past_ed, past_deck, past_owners)
        teams = self._teams(main_ed, past_ed)
        await s.flush()  # vehicle, entry and team ids
        self._team_members(teams, main_ed, past_ed, judge_plan)
        main_cats, past_cats = await self._categories(main), await self._categories(past)
        self._score_main(main_ed, main_cats, judge_plan)
        self._score_past(past_ed, past_cats, judge_plan)
        self._conflict(main_ed, judge_plan)
        await s.flush()

        organizer = self.users[ORGANIZER_EMAIL]
        viewer = Viewer(
            organizer.id,
            organizer.name,
            organizer.email,
            True,
            None,
            None,
            organizer_event_ids=frozenset({main.id, past.id}),
            chief_judge_event_ids=frozenset({main.id, past.id}),
        )
        for cls in past_ed.classes.values():
            await certify_class(s, viewer, past, cls)
            cls.certified_at = _at(date(2025, 11, 30), 13, 5 + 7 * cls.position)
        await publish(s, viewer, past)
        past.published_at = _at(date(2025, 11, 30), 15, 30)
        await s.flush()

    # Classes, entries, teams ----------------------------------------------------------------------

    def _classes(self, event: Event, codes: list[str]) -> dict[str, EventClass]:
        specs = {c.code: c for c in MAIN_CLASSES}
        out = {
            code: EventClass(
                event_id=event.id,
                code=code,
                name=specs[code].name,
                description=specs[code].description,
                position=n,
                places_awarded=3,
                team_min=2,
                team_max=4,
            )
            for n, code in enumerate(codes, start=1)
        }
        self.session.add_all(out.values())
        return out

    def _vehicle(self, owner: Person, plan: CarPlan) -> Vehicle:
        m = plan.model
        return Vehicle(
            entrant_id=self.entrants[owner.email].id,
            year=plan.year,
            make=m.make,
            model=m.model,
            body_style=m.body_style,
            coachbuilder=m.coachbuilder,
            chassis_number=plan.chassis,
            engine_number=plan.engine,
            colour=plan.colour,
            restoration_state=plan.state,
            restoration_notes=plan.restoration_notes,
            history=plan.history,
            prior_awards=plan.prior_awards,
        )

    def _entry(self, event: Event, owner: Person, plan: CarPlan, **fields: object) -> Entry:
        vehicle = self._vehicle(owner, plan)
        self.session.add(vehicle)
        entry = Entry(event_id=event.id, entrant_id=self.entrants[owner.email].id, **fields)
        entry.vehicle = vehicle  # the flush inserts the vehicle first and fills in vehicle_id
        return entry

    def _main_entries(self, ed: EditionResult, deck: CarDeck, owners: list[Person]) -> None:
        rng = self.rng
        event = ed.event
        # The demo entrant's car leads class C; everyone else's cars are dealt out at random.
        others = [*owners[1:], *owners[1:7]]
        rng.shuffle(others)
        number = 0
        all_entries: list[Entry] = []
        for row_n, spec in enumerate(MAIN_CLASSES):
            cls = ed.classes[spec.code]
            rows: list[EntryRow] = []
            for i in range(spec.accepted):
                number += 1
                owner = owners[0] if (spec.code == "C" and i == 0) else others.pop()
                plan = deck.draw(spec.code, preservation=spec.preservation)
                # Two cars are still on their way to the lawn; everyone else has checked in.
                late = spec.code in ("R", "T") and i == spec.accepted - 1
                checked_in = None if late else _at(TODAY, 6, 15) + timedelta(minutes=rng.randint(0, 100))
                entry = self._entry(
                    event,
                    owner,
                    plan,
                    class_id=cls.id,
                    preferred_class_id=cls.id if rng.random() < 0.7 else None,
                    status="accepted",
                    car_number=number,
                    field_position=f"Row {chr(ord('A') + row_n)}, {i + 1}",
                    checked_in_at=checked_in,
                    decision_message=(
                        f"Congratulations: the selection committee has invited your {plan.year} {plan.model.make} "
                        f"to show in Class {spec.code}, {spec.name}. Please be on the lawn by 7:30 on Monday."
                    ),
                    decided_at=_at(date(2026, 9, 20), 10) + timedelta(hours=rng.randint(0, 200)),
                    created_at=_at(date(2026, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800)),
                )
                rows.append(EntryRow(entry, plan, owner))
                all_entries.append(entry)
            ed.entries_by_class[spec.code] = rows
        messages = {
            "waitlisted": "The class is full this year; your car is on the waitlist and we will write if a place "
            "opens.",
            "declined": (
                "Thank you for applying. The committee received many strong applications for this class and "
                "could not offer a place this year; we hope to see the car in a future year."
            ),
        }
        for status, fits, preferred in OTHER_ENTRIES:
            owner = others.pop()
            spec = next(c for c in MAIN_CLASSES if c.code == fits)
            plan = deck.draw(fits, preservation=spec.preservation)
            decided = status in ("waitlisted", "declined", "withdrawn")
            entry = self._entry(
                event,
                owner,
                plan,
                class_id=None,
                preferred_class_id=ed.classes[preferred].id if preferred else None,
                status=status,
                decision_message=messages.get(status, ""),
                absent_reason="Withdrawn by the owner: the car's restoration will not be finished in time."
                if status == "withdrawn"
                else "",
                decided_at=_at(date(2026, 9, 22), 10) + timedelta(hours=rng.randint(0, 300)) if decided else None,
                created_at=(
                    _at(date(2026, 11, 2), 9) + timedelta(hours=rng.randint(0, 300))
                    if status == "applied"
                    else _at(date(2026, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800))
                ),
            )
            all_entries.append(entry)
            ed.entries_by_class.setdefault("_other", []).append(EntryRow(entry, plan, owner))
        assert not others, "every owner has a car"
        self.session.add_all(all_entries)

    def _past_entries(self, ed: EditionResult, deck: CarDeck, owners: list[Person]) -> None:
        rng = self.rng
        number = 0
        owners_left = owners[1:]
        rng.shuffle(owners_left)
        entries: list[Entry] = []
        for row_n, code in enumerate(PAST_CLASS_CODES):
            rows: list[EntryRow] = []
            for i in range(PAST_CARS_PER_CLASS):
                number += 1
                demo = code == "D" and i == 0
                owner = owners[0] if demo else owners_left.pop()
                plan = deck.draw(code, quality=0.95 if demo else None)
                entry = self._entry(
                    ed.event,
                    owner,
                    plan,
                    class_id=ed.classes[code].id,
                    preferred_class_id=ed.classes[code].id,
                    status="accepted",
                    car_number=number,
                    field_position=f"Row {chr(ord('A') + row_n)}, {i + 1}",
                    checked_in_at=_at(date(2025, 11, 30), 6, 30) + timedelta(minutes=rng.randint(0, 90)),
                    decision_message=f"Congratulations: your car is invited to show in Class {code}.",
                    decided_at=_at(date(2025, 9, 20), 10) + timedelta(hours=rng.randint(0, 200)),
                    created_at=_at(date(2025, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800)),
                )
                rows.append(EntryRow(entry, plan, owner))
                entries.append(entry)
            ed.entries_by_class[code] = rows
        self.session.add_all(entries)

    def _plan_judges(self, people: list[Person]) -> list[JudgeSeat]:
        """(person, judge row, main-event class code, captain) for everyone; the demo judge captains M."""
        rng = self.rng
        pool = people[1:]
        rng.shuffle(pool)
        honorary_notes = ("Honorary judge: automotive designer.", "Honorary judge: motoring historian and author.")
        out: list[JudgeSeat] = []
        honorary_left = 2
        for spec in MAIN_CLASSES:
            for n in range(spec.team_size):
                captain = n == 0
                person = people[0] if (spec.code == DEMO_JUDGE_CLASS and captain) else pool.pop()
                if captain:
                    rank = "senior" if person is people[0] else rng.choice(("master", "master", "senior"))
                else:
                    rank = rng.choices(RANKS, (2, 5, 3, 1))[0]
                honorary = not captain and honorary_left > 0 and n == spec.team_size - 1 and spec.team_size >= 3
                if honorary:
                    honorary_left -= 1
                extra = rng.choice(("", "", "; marque club technical adviser", "; restoration background"))
                judge = Judge(
                    rank="judge" if honorary else rank,
                    honorary=honorary,
                    specialties=spec.specialty + extra,
                    notes=honorary_notes[honorary_left] if honorary else "",
                )
                out.append((person, judge, spec.code, captain))
        return out

    def _teams(self, main: EditionResult, past: EditionResult) -> dict[tuple[int, str], Team]:
        teams: dict[tuple[int, str], Team] = {}
        for ed in (main, past):
            for code, cls in ed.classes.items():
                teams[(ed.event.id, code)] = Team(event_id=ed.event.id, class_id=cls.id, name=f"Class {code}")
        self.session.add_all(teams.values())
        return teams

    def _team_members(
        self,
        teams: dict[tuple[int, str], Team],
        main: EditionResult,
        past: EditionResult,
        plan: list[JudgeSeat],
    ) -> None:
        members: list[TeamMember] = []
        for _, judge, code, captain in plan:
            members.append(TeamMember(team_id=teams[(main.event.id, code)].id, judge_id=judge.id, is_captain=captain))
        # Last year's teams: the same class's judges where they can (never the demo judge), topped up.
        spare = [j for p, j, code, _ in plan if code not in PAST_CLASS_CODES and p.email != DEMO_JUDGE_EMAIL]
        for code in PAST_CLASS_CODES:
            same = [j for p, j, c, _ in plan if c == code and p.email != DEMO_JUDGE_EMAIL][:PAST_TEAM_SIZE]
            while len(same) < PAST_TEAM_SIZE:
                same.append(spare.pop())
            self.past_teams[code] = same
            team = teams[(past.event.id, code)]
            members.extend(TeamMember(team_id=team.id, judge_id=j.id, is_captain=n == 0) for n, j in enumerate(same))
        self.session.add_all(members)

    # Scores ---------------------------------------------------------------------------------------

    def _sheet(
        self, entry: Entry, judge: Judge, rubric_id: int, plan: SheetPlan, status: str, at: datetime
    ) -> ScoreSheet:
        sheet = ScoreSheet(
            entry_id=entry.id,
            judge_id=judge.id,
            section="",
            rubric_id=rubric_id,
            status=status,
            version=len(plan.lines),
            overall_comment=plan.comment,
            submitted_at=at if status == "submitted" else None,
            entered_by_id=judge.user_id,
            created_at=at - timedelta(minutes=11),
            updated_at=at,
        )
        sheet.lines = [
            ScoreLine(category_id=ln.category_id, value_units=ln.value_units, note=ln.note) for ln in plan.lines
        ]
        return sheet

    def _distinct_sheets(
        self,
        rows: list[EntryRow],
        n_judges: int,
        categories: list[Category],
        preservation: bool,
        comment_odds: dict[int, float] | None = None,
    ) -> list[list[SheetPlan]]:
        """Complete sheets for every car and judge, re-scored until no two cars share a total (so the
        class can be certified without a chief judge's tie decision)."""
        rng = self.rng
        used: set[int] = set()
        out: list[list[SheetPlan]] = []
        for n, row in enumerate(rows):
            odds = (comment_odds or {}).get(n, 0.85)
            while True:
                sheets = [
                    score_sheet(rng, categories, 10, row.plan.quality, preservation=preservation, comment_odds=odds)
                    for _ in range(n_judges)
                ]
                total = sum(sh.total for sh in sheets)
                if total not in used:
                    used.add(total)
                    break
            out.append(sheets)
        return out

    def _score_main(self, ed: EditionResult, categories: list[Category], plan: list[JudgeSeat]) -> None:
        rng = self.rng
        assert ed.event.rubric_id is not None
        sheets: list[ScoreSheet] = []
        for spec in MAIN_CLASSES:
            if spec.scoring == "none":
                continue
            team = [j for _, j, code, _ in plan if code == spec.code]
            rows = ed.entries_by_class[spec.code]
            start = _at(TODAY, 8, 30)
            if spec.scoring == "full":
                scored = self._distinct_sheets(rows, len(team), categories, spec.preservation)
                for i, (row, per_judge) in enumerate(zip(rows, scored, strict=True)):
                    at = start + timedelta(minutes=13 * (i + 1))
                    for j, (judge, sp) in enumerate(zip(team, per_judge, strict=True)):
                        sheets.append(
                            self._sheet(
                                row.entry, judge, ed.event.rubric_id, sp, "submitted", at + timedelta(minutes=j)
                            )
                        )
                continue
            # In progress: each judge has submitted the first few cars and has a draft open on the next.
            for j, judge in enumerate(team):
                done = 3 + j % 2  # cars submitted before the one in progress
                for i, row in enumerate(rows[: done + 1]):
                    at = start + timedelta(minutes=13 * (i + 1) + j)
                    if i < done:
                        sp = score_sheet(rng, categories, 10, row.plan.quality, preservation=spec.preservation)
                        sheets.append(self._sheet(row.entry, judge, ed.event.rubric_id, sp, "submitted", at))
                    else:
                        sp = score_sheet(
                            rng,
                            categories,
                            10,
                            row.plan.quality,
                            preservation=spec.preservation,
                            lines=2,
                            comment_odds=0.0,
                        )
                        sheets.append(self._sheet(row.entry, judge, ed.event.rubric_id, sp, "draft", at))
        self.session.add_all(sheets)

    def _score_past(self, ed: EditionResult, categories: list[Category], plan: list[JudgeSeat]) -> None:
        assert ed.event.rubric_id is not None
        sheets: list[ScoreSheet] = []
        day = date(2025, 11, 30)
        for code in PAST_CLASS_CODES:
            team = self.past_teams[code]
            rows = ed.entries_by_class[code]
            demo_index = next((n for n, r in enumerate(rows) if r.owner.email == DEMO_ENTRANT_EMAIL), None)
            odds = {demo_index: 1.0} if demo_index is not None else None
            scored = self._distinct_sheets(rows, len(team), categories, False, odds)
            for i, (row, per_judge) in enumerate(zip(rows, scored, strict=True)):
                at = _at(day, 8, 30) + timedelta(minutes=14 * (i + 1))
                for j, (judge, sp) in enumerate(zip(team, per_judge, strict=True)):
                    sheets.append(
                        self._sheet(row.entry, judge, ed.event.rubric_id, sp, "submitted", at + timedelta(minutes=j))
                    )
        self.session.add_all(sheets)

    def _conflict(self, ed: EditionResult, plan: list[JudgeSeat]) -> None:
        """One declared conflict: a class P judge restored one of the class's cars."""
        judge = next(j for _, j, code, captain in plan if code == "P" and not captain)
        row = ed.entries_by_class["P"][2]
        self.session.add(
            Conflict(
                event_id=ed.event.id,
                judge_id=judge.id,
                entry_id=row.entry.id,
                reason="Restored this car's interior in 2019.",
                source="declared",
                created_by_id=judge.user_id,
            )
        )


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


async def _demo_exists(session: AsyncSession) -> bool:
    return (await session.scalar(select(Event.id).where(Event.slug == MAIN_SLUG))) is not None


async def build_demo(settings: Settings) -> bool:
    """Build the demo into ``settings.database_url`` (already migrated). False when it is already there."""
    db = Database.connect(settings.database_url)
    try:
        async with db.read() as session:
            if await _demo_exists(session):
                return False
        password_hash = await hash_password(ORGANIZER_PASSWORD)
        async with db.write() as session:
            if await _demo_exists(session):
                return False
            try:
                await DemoBuilder(session, password_hash).build()
                await session.commit()
            except IntegrityError:
                # Another process built it at the same moment (PostgreSQL has no up-front write lock).
                await session.rollback()
                if await _demo_exists(session):
                    return False
                raise
        return True
    finally:
        await db.dispose()


async def demo_links(settings: Settings) -> DemoInfo:
    """Fresh single-use sign-in links for the demo judge and the demo entrant."""
    db = Database.connect(settings.database_url)
    try:
        async with db.write() as session:
            event = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
            users = {
                u.email: u
                for u in (
                    await session.scalars(select(User).where(User.email.in_([DEMO_JUDGE_EMAIL, DEMO_ENTRANT_EMAIL])))
                ).all()
            }
            if event is None or len(users) < 2:
                raise DemoMissing("The demo is not in this database; build it first (concours demo).")
            judge, entrant = users[DEMO_JUDGE_EMAIL], users[DEMO_ENTRANT_EMAIL]
            judge_link = await issue_login_link(session, settings, judge, "/judging/")
            entrant_link = await issue_login_link(session, settings, entrant, "/my/")
            await session.commit()
        return DemoInfo(
            event_name=event.name,
            organizer_email=ORGANIZER_EMAIL,
            organizer_password=ORGANIZER_PASSWORD,
            judge_name=judge.name,
            judge_link=judge_link,
            entrant_name=entrant.name,
            entrant_link=entrant_link,
            results_url=f"{settings.base_url}/events/{PAST_SLUG}/results",
        )
    finally:
        await db.dispose()
