import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "matching-dev.json"


@pytest.mark.django_db
def test_evaluate_matching_reports_the_engine_beside_three_baselines_overall_and_by_language():
    out = StringIO()
    call_command("evaluate_matching", str(DEV_SET), "--json", stdout=out)
    report = json.loads(out.getvalue())

    assert set(report) == {"engine", "sector", "tfidf", "rrf"}
    assert {g: report["engine"][g]["n"] for g in report["engine"]} == {"all": 27, "chinese_only": 10, "english": 17}
    engine = report["engine"]["all"]["ndcg@10"]
    # A regression guard on the development set: the engine must stay clearly above every baseline.
    for baseline in ("sector", "tfidf", "rrf"):
        assert engine > report[baseline]["all"]["ndcg@10"] + 0.1
    # The language bridge: Chinese-only demands do not fall behind English ones.
    assert report["engine"]["chinese_only"]["ndcg@10"] >= report["engine"]["english"]["ndcg@10"] - 0.05
    assert report["engine"]["chinese_only"]["ndcg@10"] > report["tfidf"]["chinese_only"]["ndcg@10"] + 0.2


@pytest.mark.django_db
def test_evaluate_matching_prints_a_table(tmp_path):
    out = StringIO()
    call_command("evaluate_matching", str(DEV_SET), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[0] == "method"
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "GreenBridge engine", "baseline: sector overlap", "baseline: TF-IDF text", "baseline: RRF(sector, TF-IDF)",
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("content", ["{broken", '{"demands": []}', "[]"])
def test_a_file_without_labels_is_refused_with_a_message(tmp_path, content):
    path = tmp_path / "labels.json"
    path.write_text(content)
    with pytest.raises(CommandError):
        call_command("evaluate_matching", str(path))
