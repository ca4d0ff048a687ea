from collections import Counter, defaultdict, deque, OrderedDict
import heapq, itertools, json, math

words = "the quick brown fox jumps over the lazy dog the end".split()
print(Counter(words).most_common(3))
graph = defaultdict(list)
for a, b in [(1, 2), (1, 3), (2, 4), (3, 4), (4, 5)]:
    graph[a].append(b)
q, seen, order = deque([1]), {1}, []
while q:
    node = q.popleft()
    order.append(node)
    for nxt in graph[node]:
        if nxt not in seen:
            seen.add(nxt)
            q.append(nxt)
print("bfs", order)
h = [5, 1, 8, 3, 9, 2]
heapq.heapify(h)
print([heapq.heappop(h) for _ in range(3)])
print(list(itertools.permutations([1, 2, 3], 2)))
print(json.dumps({"b": [1, 2.5, None, True], "a": "x"}, sort_keys=True))
print(f"{math.pi:.5f} {math.sqrt(2):.3e} {1/3!r} {10**20} {2**0.5}")
print(sorted({3, 1, 2}), {1: "a", 2: [1, 2]}, (1,), list(OrderedDict(a=1).items()))
print(round(2.675, 2), int("42"), float("1e-3"), divmod(-7, 2), -7 // 2, -7 % 2)
