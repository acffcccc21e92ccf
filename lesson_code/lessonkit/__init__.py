"""lessonkit: what every lesson needs, written once.

A lesson package (``lesson_code/dayNN``) imports this package and earlier lessons, never a later
one. Modules, one job each:

* :mod:`.files`: atomic writes, deterministic JSON, SHA-256 hashing;
* :mod:`.checkpoints`: the framed checkpoint file (format tag, version, plain data);
* :mod:`.downloads`: verified fetches of source distributions from the package index;
* :mod:`.cache`: where downloaded data is kept (the checkout's ``.cache/`` or the user cache);
* :mod:`.configs`: ``DictConfig``, to_dict/from_dict for every lesson's config dataclasses;
* :mod:`.vocab`: the token vocabulary (characters or words, optional special tokens);
* :mod:`.decoding`: temperature, top-k and an eval-mode context for generation;
* :mod:`.training`: the training skeleton (budget, schedule, clipping, best weights, Ctrl-C, progress);
* :mod:`.cli`: argument types, one-line errors, device selection, the lesson parser and its experiment command;
* :mod:`.experiments`: the experiment registry and its ``python -m ... experiments`` runner;
* :mod:`.statistics`: Wilson intervals, paired (McNemar) comparisons, intervals across seeds;
* :mod:`.figstyle`: the shared look of every figure (palette, markers, font floor, stable SVG).

This ``__init__`` imports nothing, so ``import lesson_code.lessonkit`` is cheap; a module that needs
torch imports it itself (files, cache, cli, configs and statistics need only the standard library).
"""
