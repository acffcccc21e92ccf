"""Day 4: sequence to sequence with one context vector, English number words -> digits, greedy and beam search."""
