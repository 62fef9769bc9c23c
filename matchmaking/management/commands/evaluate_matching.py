import json

from django.core.management.base import BaseCommand, CommandError

from companies.models import Sector
from matchmaking.evaluation import evaluate
from matchmaking.glossary import CONCEPTS

METHODS = {
    "engine": "GreenBridge engine",
    "sector": "baseline: sector overlap",
    "tfidf": "baseline: TF-IDF text",
    "rrf": "baseline: RRF(sector, TF-IDF)",
}
GROUPS = {"all": "all demands", "chinese_only": "Chinese-only", "english": "English"}


class Command(BaseCommand):
    help = (
        "Measure the matching engine on a labelled file (the format of matching-dev.json): nDCG@10 and "
        "precision@5, overall and for Chinese-only and English demands, beside three baselines."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if not isinstance(data, dict) or not data.get("qrels") or not data.get("demands"):
            raise CommandError(f"{file} has no demands or no qrels to evaluate against.")
        parents = {s.slug: (s.parent.slug if s.parent_id else s.slug) for s in Sector.objects.select_related("parent")}
        report = evaluate(data, parents=parents, concepts=CONCEPTS)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        header = f"{'method':32}" + "".join(
            f"{GROUPS[g] + ' (n=' + str(report['engine'][g]['n']) + ')':>32}" for g in GROUPS
        )
        self.stdout.write(header)
        self.stdout.write(f"{'':32}" + "".join(f"{'nDCG@10':>16}{'P@5':>16}" for _g in GROUPS))
        for method, label in METHODS.items():
            cells = "".join(f"{report[method][g]['ndcg@10']:>16.3f}{report[method][g]['p@5']:>16.3f}" for g in GROUPS)
            self.stdout.write(f"{label:32}{cells}")
