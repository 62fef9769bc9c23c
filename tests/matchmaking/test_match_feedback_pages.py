"""Feedback on a match from the matches pages (matchmaking.views.matches.match_feedback)."""

import pytest
from django.urls import reverse

from companies.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_URL = "/matches/"


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return response


def feedback(client, user, target, value, **extra):
    client.force_login(user)
    return client.post(reverse("matches:feedback", args=[target.pk]), {"value": value}, **extra)


# ---- feedback -------------------------------------------------------------------------------


def test_the_supplier_side_feedback_lands_in_its_column(client, supplier, ranked):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, "interested")

    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback) == ("interested", "")
    assert target.published
    assert response.status_code == 302
    assert response.url == f"/matches/?organisation={target.organisation_id}#match-{target.pk}"
    assert "you are interested" in client.get(LIST_URL).content.decode()


def test_the_buyer_side_feedback_lands_in_its_column(client, buyer, ranked):
    target = ranked["cambi"]

    feedback(client, buyer, target, "interested")

    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback) == ("", "interested")


def test_interest_can_be_withdrawn(client, supplier, ranked):
    target = ranked["cambi"]
    feedback(client, supplier, target, "interested")

    feedback(client, supplier, target, "")

    target.refresh_from_db()
    assert target.supplier_feedback == ""


def test_not_relevant_hides_the_match_at_once_and_closes_the_ranks(client, buyer, ranked):
    target, second = ranked["cambi"], ranked["veolia"]

    response = feedback(client, buyer, target, "not_relevant")

    target.refresh_from_db()
    second.refresh_from_db()
    assert (target.buyer_feedback, target.published, target.rank) == ("not_relevant", False, None)
    assert second.rank == 1
    assert response.status_code == 302
    assert "#" not in response.url
    listed = client.get(LIST_URL)
    assert listed.context["found"].demands[0].suggested == [second]
    assert "hidden and will not be suggested again" in listed.content.decode()


def test_not_relevant_from_the_supplier_hides_it_from_both_sides(client, supplier, buyer, ranked):
    feedback(client, supplier, ranked["cambi"], "not_relevant")

    assert page(client, supplier).context["found"].supplier_matches == []
    assert page(client, buyer).context["found"].demands[0].suggested == [ranked["veolia"]]


def test_a_user_of_neither_side_gets_403_and_nothing_changes(client, outsider, ranked):
    target = ranked["cambi"]

    response = feedback(client, outsider, target, "not_relevant")

    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback, target.published, target.rank) == ("", "", True, 1)


def test_a_pending_member_is_not_a_side(client, cambi, ranked):
    pending = MembershipFactory(organisation=cambi, status=Membership.Status.PENDING).user

    assert feedback(client, pending, ranked["cambi"], "interested").status_code == 403


@pytest.mark.parametrize("value", ["maybe", "NOT_RELEVANT", "x" * 500])
def test_a_bad_value_is_a_400_with_a_message(client, supplier, ranked, value):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, value)

    assert response.status_code == 400
    assert "not one GreenBridge knows" in response.content.decode()
    target.refresh_from_db()
    assert target.supplier_feedback == ""


def test_a_missing_value_is_a_400(client, supplier, ranked):
    client.force_login(supplier)

    response = client.post(reverse("matches:feedback", args=[ranked["cambi"].pk]))

    assert response.status_code == 400


def test_an_unknown_match_is_a_404(client, supplier):
    client.force_login(supplier)

    assert client.post("/matches/999999/feedback/", {"value": "interested"}).status_code == 404


def test_feedback_is_post_only(client, supplier, ranked):
    client.force_login(supplier)

    assert client.get(reverse("matches:feedback", args=[ranked["cambi"].pk])).status_code == 405


def test_htmx_feedback_returns_the_card(client, supplier, ranked):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, "interested", **HTMX)

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith(f'<li class="match-card match-card--interested" id="match-{target.pk}">')
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert "Sludge treatment upgrade" in html  # the supplier's card shows the demand
    assert "Targets Beijing" in html


def test_htmx_not_relevant_removes_the_card(client, buyer, ranked):
    response = feedback(client, buyer, ranked["cambi"], "not_relevant", **HTMX)

    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Reswap"] == "delete"


def test_the_other_sides_interest_shows(client, supplier, buyer, ranked):
    feedback(client, supplier, ranked["cambi"], "interested")

    assert "They are interested" in page(client, buyer).content.decode()


def test_the_redirect_goes_back_only_to_a_local_page(client, supplier, ranked):
    client.force_login(supplier)
    url = reverse("matches:feedback", args=[ranked["cambi"].pk])

    local = client.post(url, {"value": "interested", "next": "/matches/?organisation=1"})
    foreign = client.post(url, {"value": "interested", "next": "https://evil.example/"})

    assert local.url == f"/matches/?organisation=1#match-{ranked['cambi'].pk}"
    assert foreign.url.startswith("/matches/?organisation=")
