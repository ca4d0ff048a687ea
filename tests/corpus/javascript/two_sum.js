const input = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [target, ...nums] = input;
function twoSum(nums, target) {
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
  return [];
}
console.log(twoSum(nums, target));
