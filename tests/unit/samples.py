"""Inputs shared by the unit tests."""

from __future__ import annotations

VARIANT = {
    "variant_name": "primary",
    "model_name": "m",
    "initial_instance_count": 2,
    "instance_type": "ml.m5.large",
    "initial_variant_weight": 1.0,
}
"""A production variant in canonical form (default weight filled in)."""
