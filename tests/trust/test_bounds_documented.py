"""The README's "Accepted values" table states the bounds the code enforces (domain/bounds.py)."""

from __future__ import annotations

from pathlib import Path

from energy_edge.domain import bounds

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_the_readme_states_each_bound_the_code_enforces():
    table = README.split("### Accepted values", 1)[1].split("\n## ", 1)[0]
    expected = [
        f"{bounds.MAX_JSON_BYTES // 1024} KiB", f"{bounds.MAX_JSON_DEPTH} levels",
        f"≤ {bounds.SETPOINT_TTL_CEILING_S:g} s, default {bounds.DEFAULT_MAX_SETPOINT_TTL_S:g} s",
        f"{bounds.MIN_CYCLE_S:g}..{bounds.MAX_CYCLE_S:g} s", f"{bounds.MAX_POWER_W / 1e6:g} MW",
        f"{bounds.MAX_ENERGY_WH / 1e6:g} MWh", f"{bounds.MAX_FUTURE_SKEW_S:g} s ahead",
        f"{bounds.MAX_REPORTED_BYTES // 1024} KiB", f"≤ {bounds.MAX_REFUSED_KEYS_ACKED} refused keys",
        f"cut to {bounds.MAX_SHOWN_CHARS} characters", f"below {bounds.MIN_POWER_W:g} W counts as 0",
        f"0..{bounds.MAX_HOT_WATER_L_PER_H:g} L/h", f"0..2⁶³−1 ({bounds.MAX_TWIN_VERSION}, IoT Hub's int64)",
    ]
    assert [text for text in expected if text not in table] == []
