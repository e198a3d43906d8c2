"""`python -m bench.profile_summary FILE [N]`: the hot spots in a py-spy raw profile
(`bench/run --profile DIR` writes one per service and world): the N lines of project code
with the most samples beneath them, and the N frames where the samples were taken."""

import re
import sys
from collections import Counter

_PROJECT_FRAME = re.compile(r"\((services|shared)/[^)]*:\d+\)")


def summarise(path: str, top: int) -> None:
    inclusive, own = Counter(), Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            frames, samples = stack.split(";"), int(count)
            total += samples
            own[frames[-1]] += samples
            for frame in set(frames):
                if _PROJECT_FRAME.search(frame):
                    inclusive[frame] += samples
    print(f"{path}: {total} samples")
    print("project code, share of samples beneath each line:")
    for frame, samples in inclusive.most_common(top):
        print(f"  {100 * samples / total:5.1f}%  {frame}")
    print("where the samples were taken:")
    for frame, samples in own.most_common(top):
        print(f"  {100 * samples / total:5.1f}%  {frame}")


if __name__ == "__main__":
    summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
