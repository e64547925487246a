"""A long random fuzz of every ops table (tests/test_ops_shapes.py runs a fixed, derandomized 1,500 in CI).

    python scripts/ops_fuzz.py [--examples 20000]

Calls every entry of KERAS_OPS, KERAS_OPERATORS, TORCH_FUNCTIONS, TENSOR_METHODS, FUNCTIONAL and TORCH_OPERATORS
with random Specs, numbers, strings, slices, lists and Dims, and prints every entry where a rule slipped (a Python
error caught by the table's safety net, reported as "unsupported arguments (...)"): there should be none.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "src"), os.path.join(HERE, "..", "tests")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20000)
    options = parser.parse_args()

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    import test_ops_shapes as cases
    from shapewise.errors import ShapewiseError

    slips = {}

    @settings(max_examples=options.examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.sampled_from(cases.TABLE_ENTRIES), st.lists(cases._ARG, max_size=4), st.dictionaries(
        st.sampled_from(["axis", "dim", "keepdims", "keepdim", "dtype", "padding", "stride", "strides", "k", "size"]),
        cases._ARG, max_size=2))
    def run(entry, args, kwargs):
        name, fn = entry
        try:
            fn(args, kwargs)
        except ShapewiseError as e:
            if "unsupported arguments (" in e.message and name not in slips:
                slips[name] = (args, kwargs, e.message)

    run()
    for name, (args, kwargs, message) in sorted(slips.items()):
        print(f"{name}: args={args!r} kwargs={kwargs!r}\n  {message}")
    print(f"{len(slips)} entries slipped in {options.examples} examples")
    return 1 if slips else 0


if __name__ == "__main__":
    sys.exit(main())
