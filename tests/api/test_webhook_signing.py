"""The signature of a webhook request: what signs it, and what a receiver accepts."""

from api.webhooks.signing import sign, verify_signature

SECRET = "whsec_a_test_secret"


def test_a_signature_verifies_for_its_body_and_secret_only():
    body = b'{"id":1,"event":"demand.created"}'
    header = sign(SECRET, body, timestamp=1_800_000_000)

    assert header.startswith("t=1800000000,v1=")
    assert verify_signature(SECRET, header, body, now=1_800_000_010)
    assert not verify_signature(SECRET, header, body + b" ", now=1_800_000_010)
    assert not verify_signature("whsec_another", header, body, now=1_800_000_010)
    assert not verify_signature(SECRET, header, body, now=1_800_000_301)  # too old: a replay
    assert verify_signature(SECRET, header, body, tolerance=600, now=1_800_000_301)
    assert not verify_signature(SECRET, "t=1800000000", body, now=1_800_000_000)
    assert not verify_signature(SECRET, "", body)


def test_any_of_several_v1_signatures_may_match():
    body = "一个中文的请求体"
    header = sign(SECRET, body, timestamp=1_800_000_000)
    both = f"t=1800000000,v1={'0' * 64},{header.split(',')[1]}"

    assert verify_signature(SECRET, both, body.encode(), now=1_800_000_000)
    assert not verify_signature(SECRET, f"t=1800000000,v1={'0' * 64}", body, now=1_800_000_000)
