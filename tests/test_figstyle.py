"""Figure series are told apart by more than colour (WCAG 1.4.1), and figure text has a floor size."""
import matplotlib
import pytest

from lesson_code.lessonkit import figstyle as style


def test_every_series_has_its_own_marker_and_line_style():
    cues = {key: (s["marker"], s["linestyle"]) for key, s in style.SERIES.items()}
    assert len(set(cues.values())) == len(cues), f"two series share marker and line style: {cues}"
    assert set(style.SERIES) <= set(style.COLORS), "every styled series has a colour"
    assert len(set(style.SEQUENCE_MARKS)) == len(style.SEQUENCE_MARKS) >= len(style.SEQUENCE)


def test_series_style_gives_colour_marker_and_line_style():
    kw = style.series_style("lstm_bias0", markevery=10)
    assert kw == {"color": style.COLORS["lstm_bias0"], "marker": "o", "linestyle": "--", "markevery": 10}


def test_text_below_the_floor_fails_on_save(tmp_path):
    fig, ax = style.figure()
    ax.set_xlabel("tiny", fontsize=style.SMALLEST_FONT_PT - 1)
    with pytest.raises(ValueError, match="below"):
        style.save_svg(fig, tmp_path / "tiny.svg")
    assert not list(tmp_path.iterdir()), "nothing half-written"
    matplotlib.pyplot.close(fig)
