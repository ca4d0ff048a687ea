# Memoised recursion and dynamic programming, the way interview answers write them.
# Depths stay within what Pyodide in a browser worker survives (about 500
# levels of lru_cache recursion); the server's deeper limits are tested in
# tests/api/sandbox.rs.
import sys
from functools import cache, lru_cache

sys.setrecursionlimit(10000)


@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@cache
def ways(n):
    """Ways to climb n stairs taking 1, 2 or 3 steps."""
    if n < 0:
        return 0
    if n == 0:
        return 1
    return ways(n - 1) + ways(n - 2) + ways(n - 3)


def edit_distance(a, b):
    @lru_cache(None)
    def go(i, j):
        if i == len(a):
            return len(b) - j
        if j == len(b):
            return len(a) - i
        if a[i] == b[j]:
            return go(i + 1, j + 1)
        return 1 + min(go(i + 1, j), go(i, j + 1), go(i + 1, j + 1))

    return go(0, 0)


def lis(nums):
    @cache
    def best(i):
        return 1 + max((best(j) for j in range(i) if nums[j] < nums[i]), default=0)

    return max(best(i) for i in range(len(nums)))


print(fib(400) % 1_000_000_007)
print(ways(400) % 1_000_000_007)
print(edit_distance("intention" * 10, "execution" * 10))
print(lis([10, 9, 2, 5, 3, 7, 101, 18, 4, 8, 6, 12, 11, 15]))
print(fib.cache_info())
