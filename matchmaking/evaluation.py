"""Measure the engine on a labelled file (the format of tests/data/matching-dev.json).

Pure functions, no Django: the file's organisations and demands become engine records,
the engine ranks organisations for every demand, and nDCG@10 and precision@5 are computed
against the file's ``qrels`` — overall, for demands written only in Chinese, and for the
others — beside three baselines computed in the same run on the same candidates:

* ``sector`` — sector overlap alone (shared leaves 1, shared parents ½);
* ``tfidf`` — plain TF-IDF text similarity alone (English words and Chinese character
  bigrams of both texts, no glossary);
* ``rrf`` — reciprocal-rank fusion (k = 60) of those two rankings.
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matchmaking import engine

CHINA = "CN"
RRF_K = 60


def records_from_directory(data):
    organisations = [
        engine.OrganisationRecord(
            id=i,
            chinese_side=o.get("country") == CHINA,
            sectors=tuple(o.get("sectors") or ()),
            text_en=" ".join(filter(None, [o.get("name", ""), o.get("description", "")])),
            text_zh=o.get("description_zh") or "",
            target_regions=tuple(o.get("target_regions") or ()),
            home_region=o.get("region") or "",
            looking_for=tuple(o.get("looking_for") or ()),
        )
        for i, o in enumerate(data.get("organisations", []))
    ]
    org_ids = {o["external_id"]: i for i, o in enumerate(data.get("organisations", []))}
    demands = []
    for i, d in enumerate(data.get("demands", [])):
        owner = org_ids.get(d.get("organisation"), -1)
        owner_side = data["organisations"][owner].get("country") == CHINA if owner >= 0 else True
        demands.append(
            engine.DemandRecord(
                id=i,
                owner_id=owner,
                owner_chinese_side=owner_side,
                sectors=tuple(d.get("sectors") or ()),
                text_en=" ".join(filter(None, [d.get("title", ""), d.get("description", "")])),
                text_zh=" ".join(filter(None, [d.get("title_zh", ""), d.get("description_zh", "")])),
                region=d.get("region") or "",
                kind=d.get("kind") or "",
            )
        )
    return organisations, demands, org_ids


def _rankings(scores, allowed):
    """Organisation columns of each demand row, best first, only allowed (candidate) pairs."""
    masked = np.where(allowed, scores, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")
    return [[int(c) for c in row if np.isfinite(masked[i, c])] for i, row in enumerate(order)]


def tfidf_scores(features):
    texts = [f"{r.text_en} {engine.chinese_only(r.text_zh)}" for r in features.organisations + features.demands]
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, token_pattern=engine.ENGLISH_TOKENS + r"|[\u3400-\u9fff]{2}", stop_words="english"
    )
    matrix = normalize(vectorizer.fit_transform(texts))
    n_org = len(features.organisations)
    return np.asarray((matrix[n_org:] @ matrix[:n_org].T).todense())


def evaluate(data, *, parents, concepts, weights=None):
    """{"engine"|"sector"|"tfidf"|"rrf": {"all"|"chinese_only"|"english": {"ndcg@10", "p@5", "n"}}}."""
    organisations, demands, org_ids = records_from_directory(data)
    features = engine.build_features(organisations, demands, parents=parents, concepts=concepts)
    rows = np.arange(len(demands))
    scores, components = engine.score_chunk(features, rows, weights)
    allowed = (features.demand_side[:, None] != features.org_side[None, :]) & (
        features.owner_ids[:, None] != features.org_ids[None, :]
    )
    rankings = {
        "engine": _rankings(scores, allowed),
        "sector": _rankings(components["sector"], allowed),
        "tfidf": _rankings(tfidf_scores(features), allowed),
    }
    fused = np.zeros_like(scores)
    for name in ("sector", "tfidf"):
        for i, ranking in enumerate(rankings[name]):
            fused[i, ranking] += 1.0 / (RRF_K + 1 + np.arange(len(ranking)))
    rankings["rrf"] = _rankings(fused, allowed)

    qrels = data.get("qrels", {})
    external = [d["external_id"] for d in data["demands"]]
    groups = {
        "all": list(rows),
        # "written only in Chinese": the need is described in Chinese only (a short English title may exist)
        "chinese_only": [i for i, d in enumerate(data["demands"]) if not d.get("description")],
    }
    groups["english"] = [i for i in rows if i not in set(groups["chinese_only"])]
    report = {}
    for method, ranking in rankings.items():
        report[method] = {}
        for group, members in groups.items():
            judged = [i for i in members if qrels.get(external[i])]
            ndcg = [
                engine.ndcg_at(ranking[i], {org_ids[k]: g for k, g in qrels[external[i]].items() if k in org_ids}, 10)
                for i in judged
            ]
            precision = [
                engine.precision_at(
                    ranking[i], {org_ids[k]: g for k, g in qrels[external[i]].items() if k in org_ids}, 5
                )
                for i in judged
            ]
            report[method][group] = {
                "ndcg@10": float(np.mean(ndcg)) if ndcg else 0.0,
                "p@5": float(np.mean(precision)) if precision else 0.0,
                "n": len(judged),
            }
    return report
