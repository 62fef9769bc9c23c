"""The first users' journeys, in a real browser (Chromium via Playwright)."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from PIL import Image

from companies.models import Organisation
from matchmaking.models import Demand
from tests.factories import MembershipFactory, OrganisationFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def submit(page):
    """Press the page's own submit button (the header holds the language switcher's buttons too)."""
    page.locator("main form button[type=submit]").last.click()


def logo_png(tmp_path):
    path = tmp_path / "logo.png"
    image = Image.new("RGB", (120, 120), (10, 107, 74))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_supplier_signs_up_verifies_creates_and_edits_a_profile_and_is_found_by_sector(
    page, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("mette@pumps.example")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # Read the outbox at this moment: Django's test set-up may have replaced the list object.
    (message,) = [m for m in mail.outbox if "mette@pumps.example" in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    submit(page)
    page.wait_for_url(re.compile(r"/me/$"))
    assert "mette@pumps.example" in page.content()

    page.get_by_role("link", name="Add your organisation").first.click()
    page.locator("input[name=name]").fill("Nordic Pump Works")
    page.locator("select[name=country]").select_option("DK")
    page.get_by_label("Water supply and leakage control").check()
    submit(page)
    organisation = Organisation.objects.get(name="Nordic Pump Works")
    page.wait_for_url(re.compile(rf"/organisations/{organisation.pk}/$"))

    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Sludge and biosolids treatment").check()
    page.locator("textarea[name=description]").fill("Pumps for sludge and district heating in Danish cities.")
    page.locator("input[name=logo]").set_input_files(str(logo_png(tmp_path)))
    submit(page)
    page.wait_for_url(re.compile(rf"/organisations/{organisation.pk}/$"))
    screenshot(page, "profile")
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("logos/")
    assert sorted(organisation.sectors.values_list("slug", flat=True)) == ["water.sludge", "water.supply"]
    assert page.locator(f"img[src*='{organisation.logo.name}']").count() >= 1

    OrganisationFactory(name="Offshore Wind Only", country="NO").sectors.set([])
    page.goto("/organisations/")
    assert "Offshore Wind Only" in page.locator("#directory-results").inner_text()
    page.locator("select[name=sector]").select_option("water.sludge")  # HTMX swaps the results in place
    page.wait_for_url(re.compile(r"sector=water\.sludge"))
    results = page.locator("#directory-results")
    results.get_by_text("Nordic Pump Works").wait_for()
    assert "Offshore Wind Only" not in results.inner_text()
    screenshot(page, "directory")


def test_a_buyer_posts_a_demand_written_only_in_chinese_and_finds_it_in_the_list(page, screenshot):
    membership = MembershipFactory(
        organisation__name="Beijing Drainage Group", organisation__country="CN", role="admin"
    )
    user = membership.user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/me/$"))

    page.goto("/demands/new/")
    page.locator("input[name=title_zh]").fill("北京污泥热水解处理项目")
    page.locator("textarea[name=description_zh]").fill("寻求污泥热水解与厌氧消化技术，用于北京高碑店污水处理厂。")
    page.get_by_label("Sludge and biosolids treatment").check()
    screenshot(page, "demand-form")
    submit(page)
    demand = Demand.objects.get(title_zh="北京污泥热水解处理项目")
    assert (demand.title, demand.organisation_id) == ("", membership.organisation_id)
    page.wait_for_url(re.compile(rf"/demands/{demand.pk}/$"))

    page.goto("/demands/")
    assert "北京污泥热水解处理项目" in page.locator("main").inner_text()
    screenshot(page, "demand-list")


def test_switching_to_chinese_turns_the_interface_chinese_and_it_stays_chinese(page, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="机构").first.is_visible()
    screenshot(page, "home-zh")
    page.goto("/organisations/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
