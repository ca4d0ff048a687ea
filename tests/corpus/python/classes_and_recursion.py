from functools import lru_cache
from dataclasses import dataclass

@dataclass
class Point:
    x: int
    y: int

    def dist2(self, other):
        return (self.x - other.x) ** 2 + (self.y - other.y) ** 2

class Stack:
    def __init__(self):
        self.items = []
    def push(self, x):
        self.items.append(x)
    def pop(self):
        if not self.items:
            raise IndexError("pop from empty stack")
        return self.items.pop()
    def __repr__(self):
        return f"Stack({self.items})"

@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def permutations(s):
    if len(s) <= 1:
        return [s]
    return [c + p for i, c in enumerate(s) for p in permutations(s[:i] + s[i + 1:])]

p, q = Point(1, 2), Point(4, 6)
print(p, p.dist2(q), p == Point(1, 2))
s = Stack()
for i in range(3):
    s.push(i * i)
print(s, s.pop())
try:
    Stack().pop()
except IndexError as e:
    print("error:", e)
print(fib(40), permutations("abc"))
print(sorted(["banana", "Apple", "cherry"], key=str.lower), "".join(reversed("interview")))
