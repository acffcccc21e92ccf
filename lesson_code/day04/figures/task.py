"""Results builder: the task's facts (vocabularies, source lengths, split shares, examples). Writes task.json."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import save_json

from ..experiments import task


def build(out_dir: Path) -> None:
    save_json(task.run(seed=0), out_dir / "task.json")
