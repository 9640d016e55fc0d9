"""Reintegration sustainability scores from a monitoring contact's survey (IOM's approach)."""

from decimal import Decimal

from .record_kinds import DIMENSIONS

MAX_ANSWER = 4


def scores(answers: dict, weights: dict, threshold: Decimal) -> dict:
    """Per-dimension and overall scores from 0 to 1, and whether the overall score reaches the
    country's threshold. `answers` holds 0-4 for every question of DIMENSIONS."""
    result = {}
    for dimension, questions in DIMENSIONS.items():
        values = [answers[code] for code, _label in questions]
        result[dimension] = round(sum(values) / (MAX_ANSWER * len(values)), 3)
    result["overall"] = round(sum(result[d] * weights[d] for d in DIMENSIONS), 3)
    result["sustainable"] = result["overall"] >= float(threshold)
    return result
