"""producerkit.business: royalties (producer points out of the artist's royalty, the "all-in" deal) and split
sheets that add up to exactly 100 %. The typical figures are held to FACTS.md in tests/test_facts.py.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import ParameterError
from producerkit.business import SplitSheet, money, royalties

# --------------------------------------------------------------------------- money


def test_royalties_points_come_out_of_the_artist_royalty():
    r = royalties(3, streams=1_000_000, rate_per_stream=0.003, artist_royalty_pct=20)
    assert r.revenue == pytest.approx(3000)
    assert r.label_share == pytest.approx(2400)
    assert r.artist_royalty == pytest.approx(600)
    assert r.producer_royalty == pytest.approx(90)  # 3 % of the base
    assert r.artist_net == pytest.approx(510)  # 20 % - 3 % = 17 %
    assert r.producer_paid == pytest.approx(90) and r.unrecouped == 0
    assert "1,000,000 streams" in str(r) and "£3,000" in str(r)  # pounds unless told otherwise


def test_royalties_recoup_the_producer_advance_first():
    r = royalties(4, revenue=50_000, recoupable_advance=1500)
    assert r.producer_royalty == pytest.approx(2000)
    assert r.producer_paid == pytest.approx(500) and r.unrecouped == 0
    early = royalties(4, revenue=10_000, recoupable_advance=1500)
    assert early.producer_paid == 0 and early.unrecouped == pytest.approx(1100)


def test_royalties_warn_outside_the_typical_points_and_refuse_nonsense():
    with pytest.warns(UserWarning, match="outside the usual 0.5–5"):
        r = royalties(8, revenue=1000)
    assert r.notes
    with pytest.raises(ParameterError, match="0–100"):
        royalties(101, revenue=1000, artist_royalty_pct=100)
    with pytest.raises(ParameterError, match="cannot be negative"):
        royalties(-1, revenue=1000)
    with pytest.raises(ParameterError, match="more than the artist's 20 % royalty"):
        royalties(25, revenue=1000)
    with pytest.raises(ParameterError, match="not both or neither"):
        royalties(3, streams=10, revenue=10)
    with pytest.raises(ParameterError, match="not both or neither"):
        royalties(3)
    with pytest.raises(ParameterError, match="cannot be negative"):
        royalties(3, revenue=1000, recoupable_advance=-5)


def test_split_sheet_must_add_up_to_100():
    sheet = SplitSheet("Night Lines", [("Mara", 50, "lyrics and melody"), ("Jonas", 50, "music")], date="2026-02-05")
    assert sheet.total == 100
    assert sheet.share_of(1000) == {"Mara": 500, "Jonas": 500}
    text = sheet.to_text()
    assert "SPLIT SHEET: Night Lines" in text and "Mara" in text and "100.00%" in text and "2026-02-05" in text
    assert "<table>" in sheet._repr_html_()
    with pytest.raises(ParameterError, match=r"add up to 90.00 %, not 100 %: 10.00 % is unassigned"):
        SplitSheet("x", [("A", 40, "lyrics"), ("B", 50, "music")])
    with pytest.raises(ParameterError, match=r"add up to 110.00 %.*10.00 % too much"):
        SplitSheet("x", [("A", 60, "lyrics"), ("B", 50, "music")])
    SplitSheet("x", [("A", 33.33, "w"), ("B", 33.33, "w"), ("C", 33.33, "w")])  # 99.99: within 0.01
    with pytest.raises(ParameterError, match="99.90"):
        SplitSheet("x", [("A", 33.3, "w"), ("B", 33.3, "w"), ("C", 33.3, "w")])
    with pytest.raises(ParameterError, match="listed twice"):
        SplitSheet("x", [("A", 50, "w"), ("A", 50, "w")])
    with pytest.raises(ParameterError, match="positive percentage"):
        SplitSheet("x", [("A", 110, "w"), ("B", -10, "w")])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 100), min_size=1, max_size=6))
def test_split_sheet_accepts_exactly_the_shares_that_add_up(raw):
    shares = [round(x * 100 / sum(raw), 2) for x in raw]
    shares[0] = round(100 - sum(shares[1:]), 2)
    writers = [(f"W{i}", s, "writer") for i, s in enumerate(shares)]
    if min(shares) > 0:
        assert SplitSheet("song", writers).total == pytest.approx(100, abs=0.011)
    off = [(f"W{i}", s * 1.05, "writer") for i, s in enumerate(shares) if s > 0]
    with pytest.raises(ParameterError, match="not 100 %"):
        SplitSheet("song", off)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 12))
def test_equal_split_adds_up_for_any_number_of_writers(n):
    sheet = SplitSheet.equal("song", [f"W{i}" for i in range(n)])
    assert abs(sheet.total - 100) <= 0.01


def test_money_reads_as_people_write_it():
    assert money(4800) == "£4,800"
    assert money(12.5, "EUR") == "€12.50"
    assert money(-280) == "-£280"
    assert money(3, "CHF") == "3 CHF"
