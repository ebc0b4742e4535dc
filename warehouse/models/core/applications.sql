-- 第三部分 收到和处理政府信息公开申请情况：每个单元格一行；空白单元格 value 为 NULL，不记为 0
-- (section 三 cells; a blank cell is NULL, never 0)
select c.report_id, c.row_id, c.column_id, c.value, c.raw, c.status, c.reason, c.line,
       rl.label as row_label, cl.label as column_label
from stg_applications c
left join stg_reports r using (report_id)
left join template_labels rl on rl.template = r.printed_form and rl."table" = 'app_row' and rl.id = c.row_id
left join template_labels cl on cl.template = r.printed_form and cl."table" = 'app_column' and cl.id = c.column_id
