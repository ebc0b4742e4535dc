-- 检查结果：每个 检查 × 报告 × 对象 一行，含期望值、实际值、差额与中文说明
-- (one row per check × report × subject, with evidence)
select report_id, check_id, severity, status, subject, expected, actual, difference, cells, message, run_id
from stg_check_results
