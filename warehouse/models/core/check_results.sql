-- 检查结果：每个 检查 × 报告 × 对象 一行，含期望值、实际值、差额与中文说明
-- 单纯通过的结果在湖中不存说明，此处补为"符合：<检查名称>"；其他结果缺说明时按其状态补，从不读作"符合"
-- (one row per check × report × subject, with evidence; a plain pass reads 符合：<check title>, any other
-- result without a message its status and title)
select c.report_id, c.check_id, c.severity, c.status, c.subject, c.expected, c.actual, c.difference, c.cells,
       coalesce(c.message, case c.status when 'pass' then '符合：' when 'fail' then '不通过：' else '无法判断：' end
                           || k.title) as message, c.run_id
from stg_check_results c
left join check_catalog k on k.id = c.check_id
