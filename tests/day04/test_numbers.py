"""The task data: number words, vocabularies, the seeded samplers and the held-out split."""
import random

import pytest
import torch

from lesson_code.day04.numbers import (MAX_NUMBER, SOURCE_WORDS, TARGET_TOKENS, digit_range, in_split, is_test,
                                       sample_digits, sample_mixed, sample_numbers, source_length_words,
                                       source_vocab, split_of, target_vocab, to_digits, to_words)

KNOWN = {
    0: "zero", 7: "seven", 13: "thirteen", 19: "nineteen", 20: "twenty", 21: "twenty one", 99: "ninety nine",
    100: "one hundred", 101: "one hundred one", 110: "one hundred ten", 115: "one hundred fifteen",
    999: "nine hundred ninety nine", 1000: "one thousand", 1001: "one thousand one", 1010: "one thousand ten",
    1100: "one thousand one hundred", 20_000: "twenty thousand", 100_000: "one hundred thousand",
    312_045: "three hundred twelve thousand forty five", 1_000_000: "one million",
    1_000_001: "one million one", 2_000_300: "two million three hundred",
    1_000_000_000: "one billion", 40_000_000_017: "forty billion seventeen",
    999_999_999_999: "nine hundred ninety nine billion nine hundred ninety nine million "
                     "nine hundred ninety nine thousand nine hundred ninety nine",
}


def parse(words):
    """Words -> int, written independently of to_words: add small values, scale by hundred/thousand/..."""
    small = {w: i for i, w in enumerate(SOURCE_WORDS[:20])}
    small.update({w: 20 + 10 * i for i, w in enumerate(SOURCE_WORDS[20:28])})
    scales = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
    total = group = 0
    for w in words:
        if w in small:
            group += small[w]
        elif w == "hundred":
            group *= 100
        else:
            total += group * scales[w]
            group = 0
    return total + group


@pytest.mark.parametrize("n, words", KNOWN.items())
def test_known_numbers(n, words):
    assert " ".join(to_words(n)) == words
    assert to_digits(n) == list(str(n))
    assert source_length_words(n) == len(words.split())


def test_round_trip_over_random_numbers():
    rng = random.Random(0)
    numbers = [rng.randrange(10 ** rng.randint(1, 12)) for _ in range(3000)]
    numbers += [10**k for k in range(12)] + [10**k - 1 for k in range(1, 13)] + [MAX_NUMBER, 0]
    for n in numbers:
        words = to_words(n)
        assert parse(words) == n, (n, words)
        assert set(words) <= set(SOURCE_WORDS)
        assert "zero" not in words or n == 0


def test_longest_source_and_bad_input():
    assert max(source_length_words(n) for n in [777_777_777_777, 999_999_999_999, 373_373_373_373]) == 19
    for bad in (-1, MAX_NUMBER + 1, 1.5, True, "12"):
        with pytest.raises(ValueError, match="n must be an integer"):
            to_words(bad)


def test_vocabularies():
    assert len(SOURCE_WORDS) == len(set(SOURCE_WORDS)) == 32
    src, tgt = source_vocab(), target_vocab()
    for v in (src, tgt):
        assert v.tokens[:3] == ["<pad>", "<bos>", "<eos>"]
    assert src.tokens[3:] == SOURCE_WORDS and src.size == 35
    assert tgt.tokens[3:] == TARGET_TOKENS == list("0123456789") and tgt.size == 13


@pytest.mark.parametrize("digits", [1, 2, 3, 7, 12])
def test_sampler_draws_exactly_that_many_digits(digits):
    numbers = sample_numbers(400, digits, seed=0)
    assert all(len(str(n)) == digits for n in numbers)
    low, high = digit_range(digits)
    assert min(numbers) >= low and max(numbers) <= high
    if digits == 1:
        assert set(numbers) == set(range(10))  # 0 is a one-digit number


def test_sampler_is_seeded():
    assert sample_numbers(50, 8, seed=3) == sample_numbers(50, 8, generator=torch.Generator().manual_seed(3))
    assert sample_numbers(50, 8, seed=3) != sample_numbers(50, 8, seed=4)
    assert sample_mixed(50, 12, seed=1) == sample_mixed(50, 12, seed=1)
    with pytest.raises(ValueError, match="generator or a seed"):
        sample_numbers(5, 3)
    with pytest.raises(ValueError, match="not both"):
        sample_numbers(5, 3, seed=1, generator=torch.Generator())
    with pytest.raises(ValueError, match="digits must be"):
        sample_numbers(5, 13, seed=0)
    with pytest.raises(ValueError, match="split must be"):
        sample_numbers(5, 3, seed=0, split="dev")


def test_split_is_a_fixed_partition():
    assert all(split_of(n) == "shared" for n in range(100))
    three = [split_of(n) for n in range(100, 1000)]
    assert set(three) == {"train", "val", "test"}
    assert 55 <= three.count("test") <= 125 and 55 <= three.count("val") <= 125  # about 1 in 10 each
    assert [split_of(n) for n in range(100, 1000)] == three  # a hash, not a seed
    for n in range(100, 3000):
        assert sum(in_split(n, s) for s in ("train", "val", "test")) == 1
        assert is_test(n) == (split_of(n) == "test")


@pytest.mark.parametrize("digits", [3, 4, 6, 12])
def test_train_and_held_out_samples_are_disjoint(digits):
    train = set(sample_numbers(2000, digits, seed=0))
    test = set(sample_numbers(300, digits, seed=0, split="test"))
    val = set(sample_numbers(300, digits, seed=0, split="val"))
    assert not train & test and not train & val and not val & test
    assert not any(is_test(n) for n in train)
    assert all(is_test(n) for n in test) and all(split_of(n) == "val" for n in val)


def test_mixed_training_draws_never_hold_out_numbers_and_cover_every_length():
    numbers = sample_mixed(3000, 12, seed=0)
    assert not any(split_of(n) in ("test", "val") for n in numbers)
    assert {len(str(n)) for n in numbers} == set(range(1, 13))
    numbers = sample_mixed(500, 5, min_digits=4, seed=0, split="test")
    assert {len(str(n)) for n in numbers} == {4, 5} and all(is_test(n) for n in numbers)
    with pytest.raises(ValueError, match="min_digits"):
        sample_mixed(5, 3, min_digits=4, seed=0)


def test_per_row_digit_counts():
    digits = torch.tensor([1, 12, 3, 5, 2])
    numbers = sample_digits(digits, generator=torch.Generator().manual_seed(0))
    assert [len(str(n)) for n in numbers] == digits.tolist()


def test_unique_sampling():
    for digits in (2, 3, 6):
        numbers = sample_numbers(80, digits, seed=1, split="test", unique=True)
        assert len(set(numbers)) == 80 and all(len(str(n)) == digits for n in numbers)
    assert sorted(sample_numbers(10, 1, seed=0, unique=True)) == list(range(10))
    with pytest.raises(ValueError, match="only 10 numbers with 1 digit,"):
        sample_numbers(11, 1, seed=0, unique=True)
    n_test3 = sum(is_test(n) for n in range(100, 1000))
    assert len(sample_numbers(n_test3, 3, seed=0, split="test", unique=True)) == n_test3
    with pytest.raises(ValueError, match="test split has only"):
        sample_numbers(n_test3 + 1, 3, seed=0, split="test", unique=True)
