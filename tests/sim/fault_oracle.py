#!/usr/bin/python3
"""fault_oracle.py - an independent model of aoe-sim's fault decisions.

It recomputes, from sim/prng.h's SplitMix64 and the draw order sim/fault.c
documents (loss; then corrupt, dup, reorder; a probability of 0 draws
nothing), the values tests/unit/test_sim_fault.c pins.  Run it to check or
regenerate them:  /usr/bin/python3 tests/sim/fault_oracle.py
"""

MASK = (1 << 64) - 1


class Prng:
    def __init__(self, seed, stream):
        self.state = (seed ^ (stream * 0xD1B54A32D192ED03)) & MASK
        self.next()  # prng_seed discards the first output

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

    def chance(self, p):
        return p > 0 and self.unit() < p

    def below(self, n):
        return int(self.unit() * n) % n


def decisions(seed, stream, loss, corrupt, dup, reorder, n):
    """One or two letters a frame, as decide() in test_sim_fault.c writes them."""
    r, out = Prng(seed, stream), ""
    for _ in range(n):
        if r.chance(loss):
            out += "L"
            continue
        c, d, h = r.chance(corrupt), r.chance(dup), r.chance(reorder)
        out += "C" if c else ""
        if d or h:
            out += "B" if d and h else "D" if d else "H"
        elif not c:
            out += "."
    return out


def main():
    r = Prng(0, 0)
    print("seed 0 stream 0:", hex(r.next()), hex(r.next()))
    print("seed 42 stream 3:", decisions(42, 3, 0.30, 0, 0.20, 0.10, 40))
    print("seed 42 stream 4:", decisions(42, 4, 0.30, 0, 0.20, 0.10, 40))
    r = Prng(7, 1)
    assert r.chance(1.0)  # the plan's corrupt draw; nothing else draws
    for _ in range(3):
        at = 14 + r.below(60 - 14)
        print("seed 7 stream 1 corrupts byte", at, "with", 1 + r.below(255))
    r = Prng(5, 2)
    print("seed 5 stream 2 jitter draws:", [r.below(2 * 500000 + 1) for _ in range(3)])


if __name__ == "__main__":
    main()
