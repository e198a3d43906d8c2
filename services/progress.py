"""The bar the console commands (`stegvis purge`, `stegvis rebuild`) show while they work: a
person reads it, so one line redrawn, never a line per item."""

WIDTH = 40


def bar(done: int, total: int, end: str = "") -> None:
    drawn = "#" * (WIDTH * done // max(total, 1))
    print(f"\r[{drawn:<{WIDTH}}] {done}/{total}", end=end, flush=True)
