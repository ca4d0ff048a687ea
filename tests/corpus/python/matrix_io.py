import sys

lines = sys.stdin.read().strip().split("\n")
n, m = map(int, lines[0].split())
grid = [list(map(int, line.split())) for line in lines[1 : n + 1]]
transposed = [[grid[r][c] for r in range(n)] for c in range(m)]
for row in transposed:
    print(" ".join(map(str, row)))
print(max(map(max, grid)), sum(map(sum, grid)))
best = [[0] * m for _ in range(n)]
for r in range(n):
    for c in range(m):
        up = best[r - 1][c] if r else 0
        left = best[r][c - 1] if c else 0
        best[r][c] = grid[r][c] + max(up, left)
print("max path", best[-1][-1])
