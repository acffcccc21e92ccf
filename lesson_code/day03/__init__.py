"""Day 3: RNN/LSTM essentials, from-scratch cells, a character-level language model and the experiments behind the lesson."""
