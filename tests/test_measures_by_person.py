"""Issue 25: ECR-RS answers about different people were drawn as one trend ("From first -1"
between Tomás and Mother), also in the client's My progress under "Lower scores mean fewer
symptoms"; a WSAS with item 1 "not applicable" was judged without prorating."""

import re

import pytest
from django.utils import timezone

from gentle.inventory.models import Person
from gentle.measures.models import Administration
from tests.factories import count_queries, signed_in
from tests.test_measures import strip_tags, table_rows

pytestmark = pytest.mark.django_db


def ecr(world, about: str, avoidance: float, anxiety: float) -> Administration:
    return Administration.objects.create(
        client=world.amara,
        instrument_id="ecr_rs",
        instrument_version=1,
        mode="in_session",
        status="submitted",
        created_by=world.alice,
        about=about,
        scores={"avoidance": avoidance, "anxiety": anxiety},
        submitted_at=timezone.now(),
    )


def section(html: str, anchor: str) -> str:
    match = re.search(rf'aria-labelledby="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


@pytest.fixture
def tomas(world):
    return Person.objects.create(
        client=world.amara,
        name="Tomás",
        name_key="tomas",
        relationship="partner",
        ring=1,
        updated_by=world.alice,
    )


def test_ecr_rs_is_kept_per_person_on_the_measures_page(world, tomas):
    # Tomás: avoidance 4.5 then 3.5 (-1); Mother: 3.5 once. Before, the rows ran Tomás 4.5,
    # Mother 3.5 ("From first -1"), Tomás 3.5.
    ecr(world, f"person:{tomas.pk}", 4.5, 5.0)
    ecr(world, "mother", 3.5, 2.0)
    ecr(world, f"person:{tomas.pk}", 3.5, 4.0)
    html = signed_in(world.alice).get(f"/clients/{world.amara.pk}/measures/").content.decode()
    tomas_rows = table_rows(html, f"ecr_rs-person-{tomas.pk}")
    mother_rows = table_rows(html, "ecr_rs-mother")
    assert [(r["From first"], r["From last"]) for r in tomas_rows] == [("—", "—"), ("-1", "-1")]
    assert [r["From first"] for r in mother_rows] == ["—"]
    headings = re.findall(r'<h2 id="result-ecr_rs[^"]*">(.*?)</h2>', html)
    assert headings == [
        "ECR-RS (attachment in one relationship): about Mother",
        "ECR-RS (attachment in one relationship): about Tomás",
    ]


def test_my_progress_shows_ecr_rs_per_person_and_says_what_it_means(world, tomas):
    ecr(world, f"person:{tomas.pk}", 4.5, 5.0)
    ecr(world, "mother", 3.5, 2.0)
    http = signed_in(world.portal)
    html = http.get("/portal/progress/").content.decode()
    assert "Lower scores mean fewer symptoms" not in strip_tags(section(html, "r-ecr_rs-mother"))
    mine = strip_tags(section(html, f"r-ecr_rs-person-{tomas.pk}"))
    assert "about Tomás" in mine
    assert "Higher avoidance means you keep more distance from them" in mine
    assert "These are not symptom scores" in mine
    few = count_queries(http, "/portal/progress/")
    ecr(world, "father", 2.0, 2.0)
    assert count_queries(http, "/portal/progress/") == few


def test_a_prorated_wsas_says_so_where_it_is_shown(world):
    # Items 2-5 answered 2 each, item 1 not applicable: 8 / 4 * 5 = 10, "Significant
    # impairment" (the four answers alone, 8, read "Subclinical").
    http = signed_in(world.alice)
    http.post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "wsas", "mode": "in_session"}
    )
    administration = Administration.objects.get(instrument_id="wsas")
    answers = {"w1": "na", "w2": "2", "w3": "2", "w4": "2", "w5": "2", "submit": "1"}
    response = http.post(f"/administrations/{administration.pk}/", answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = http.get(f"/clients/{world.amara.pk}/measures/").content.decode()
    (row,) = table_rows(html, "wsas")
    assert row["Band"] == "Significant impairment"
    assert row["WSAS total"].startswith("10 (prorated: 1 item not applicable)"), row
