"""Forget-gate bias initialisation (Jozefowicz et al., 2015): start every LSTM biased to remember."""
import torch
import torch.nn as nn

from .cells import LSTMCell


# --8<-- [start:set_forget_bias]
@torch.no_grad()
def set_forget_bias(module: nn.Module, value: float = 1.0) -> int:
    """Set the forget-gate bias b_f (slice [H:2H], gate order i, f, g, o) of every LSTM inside `module`
    to `value`, and nothing else (not the output layer's bias). Returns how many LSTM biases were set
    (one per cell, per layer and direction of an nn.LSTM)."""
    count = 0
    for m in module.modules():
        if isinstance(m, LSTMCell):  # ours: one bias, W_h.bias: (4H,)
            H = m.hidden_size
            m.W_h.bias[H:2 * H] = value
            count += 1
        elif isinstance(m, (nn.LSTM, nn.LSTMCell)):  # torch: b_ih + b_hh, so b_ih[f] = value, b_hh[f] = 0
            if not m.bias:
                raise ValueError(f"{type(m).__name__} was built with bias=False: no forget bias to set")
            H = m.hidden_size
            suffixes = [""] if isinstance(m, nn.LSTMCell) else [
                f"_l{layer}{rev}" for layer in range(m.num_layers)
                for rev in (("", "_reverse") if m.bidirectional else ("",))
            ]
            for s in suffixes:
                getattr(m, "bias_ih" + s)[H:2 * H] = value
                getattr(m, "bias_hh" + s)[H:2 * H] = 0.0
                count += 1
    return count
# --8<-- [end:set_forget_bias]
