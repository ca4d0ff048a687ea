import sys

def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
    return []

data = sys.stdin.read().split()
target = int(data[0])
nums = list(map(int, data[1:]))
print(two_sum(nums, target))
