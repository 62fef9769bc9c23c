"""Why a kept pair matches: reasons as data ({"kind": ..., "value": ...}), for the pages to word.

How a reason is worded in each language is not the engine's business (the matchmaking app's
reason names do that).
"""

import functools
import json

import numpy as np


def _shared_top(matrix, rows_a, rows_b, limit):
    """For each pair (rows_a[i], rows_b[i]) of ``matrix``: the columns both rows weigh, heaviest
    product first (ties: the higher column first), at most ``limit``; as a list of lists.

    Products are taken in float64, where the product of two float32 weights is exact, so the
    order is that of multiplying the weights one pair at a time in Python.
    """
    if len(rows_a) == 0:
        return []
    a = matrix[rows_a].astype(np.float64)
    b = matrix[rows_b].astype(np.float64)
    product = a.multiply(b).tocsr()
    product.eliminate_zeros()
    counts = np.diff(product.indptr)
    owner = np.repeat(np.arange(len(rows_a)), counts)
    order = np.lexsort((-product.indices, -product.data, owner))
    position = np.arange(len(order)) - product.indptr[:-1][owner]  # owner is sorted: groups stay in place
    chosen = position < limit
    columns = product.indices[order[chosen]].tolist()
    kept = np.minimum(counts, limit).tolist()
    found, at = [], 0
    for n in kept:
        found.append(columns[at : at + n])
        at += n
    return found


def explain_many(features, rows, columns, components, *, as_json=False):
    """Reasons for kept pairs (``rows`` into features.demands, ``columns`` into features.organisations,
    ``components`` arrays aligned with them): a list of [{"kind": ..., "value": ...}, ...].

    The pages turn them into words.  Shared key terms come from one sparse product over all
    the pairs; the rest are small set operations per pair, each worked out once per distinct
    combination.  ``as_json`` gives each pair's list as the text ``json.dumps(reasons,
    ensure_ascii=False)`` would write, put together from pieces encoded once.
    """
    rows = np.asarray(rows, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    n = len(rows)
    if n == 0:
        return []
    n_org = len(features.organisations)
    terms = [None] * n
    with_text = np.flatnonzero(np.asarray(components["text"]) > 0)
    if len(with_text) and features.concepts.shape[1]:
        names, shown = features.concept_names, {}
        found = _shared_top(features.concepts, n_org + rows[with_text], columns[with_text], 4)
        for i, shared in zip(with_text.tolist(), found, strict=True):
            if shared:
                terms[i] = [shown.get(c) or shown.setdefault(c, str(names[c]).replace("-", " ")) for c in shared]
    if len(with_text) and features.words_en.shape[1]:
        without = np.array([i for i in with_text.tolist() if terms[i] is None], dtype=np.int64)
        names, shown = features.word_names, {}
        found = _shared_top(features.words_en, n_org + rows[without], columns[without], 4)
        for i, shared in zip(without.tolist(), found, strict=True):
            if shared:
                terms[i] = [shown.get(c) or shown.setdefault(c, str(names[c])) for c in shared]

    demands, organisations = features.demands, features.organisations
    # Shared sectors (or, failing those, shared groups) depend only on the two records' sector
    # lists: number each distinct list once, and work each combination out once.
    numbered = {}
    demand_numbers = np.array([numbered.setdefault(tuple(d.sectors), len(numbered)) for d in demands], dtype=np.int64)
    org_numbers = np.array(
        [numbered.setdefault(tuple(o.sectors), len(numbered)) for o in organisations], dtype=np.int64
    )
    lists = list(numbered)
    combinations = (demand_numbers[rows] * len(lists) + org_numbers[columns]).tolist()
    sector_reasons = {}

    def shared_sectors(combination):
        demand_sectors, org_sectors = lists[combination // len(lists)], lists[combination % len(lists)]
        shared = sorted(set(demand_sectors) & set(org_sectors))
        groups = () if shared else tuple(sorted(_groups(demand_sectors) & _groups(org_sectors)))
        if as_json:
            shared = ", ".join(_reason_json("sector", slug) for slug in shared)
            groups = ", ".join(_reason_json("sector_group", group) for group in groups)
        found = sector_reasons[combination] = (shared, groups)
        return found

    has_sector = (np.asarray(components["sector"]) > 0).tolist()
    has_region = (np.asarray(components["region"]) > 0).tolist()
    has_partnership = (np.asarray(components["partnership"]) > 0).tolist()
    has_copresence = (np.asarray(components["copresence"]) > 0).tolist()
    pairs = enumerate(zip(rows.tolist(), columns.tolist(), strict=True))
    everything = []
    if as_json:
        encoded = {}

        def term_json(term):
            found = encoded.get(term)
            if found is None:
                found = encoded[term] = json.dumps(term, ensure_ascii=False)
            return found

        for i, (row, column) in pairs:
            demand = demands[row]
            shared, groups = sector_reasons.get(combinations[i]) or shared_sectors(combinations[i])
            parts = [shared] if shared else []
            if terms[i] is not None:
                parts.append('{"kind": "terms", "value": [' + ", ".join(map(term_json, terms[i])) + "]}")
            if has_region[i] and demand.region:
                parts.append(_reason_json("region", demand.region))
            if has_partnership[i] and demand.kind:
                parts.append(_reason_json("partnership", demand.kind))
            if has_copresence[i]:
                gatherings = set(demand.gatherings) & set(organisations[column].gatherings)
                parts.append(json.dumps({"kind": "copresence", "value": sorted(gatherings)}, ensure_ascii=False))
            if groups and has_sector[i]:
                parts.append(groups)
            everything.append("[" + ", ".join(parts) + "]")
        return everything
    for i, (row, column) in pairs:
        demand = demands[row]
        shared, groups = sector_reasons.get(combinations[i]) or shared_sectors(combinations[i])
        reasons = [{"kind": "sector", "value": slug} for slug in shared]
        if terms[i] is not None:
            reasons.append({"kind": "terms", "value": terms[i]})
        if has_region[i] and demand.region:
            reasons.append({"kind": "region", "value": demand.region})
        if has_partnership[i] and demand.kind:
            reasons.append({"kind": "partnership", "value": demand.kind})
        if has_copresence[i]:
            gatherings = set(demand.gatherings) & set(organisations[column].gatherings)
            reasons.append({"kind": "copresence", "value": sorted(gatherings)})
        if groups and has_sector[i]:
            reasons.extend({"kind": "sector_group", "value": group} for group in groups)
        everything.append(reasons)
    return everything


@functools.lru_cache(maxsize=4096)
def _reason_json(kind, value):
    return json.dumps({"kind": kind, "value": value}, ensure_ascii=False)


def _groups(slugs):
    return {s.split(".", 1)[0] for s in slugs}
