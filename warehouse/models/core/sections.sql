-- 报告各部分（一至六）的标题与正文 (section headings and texts)
select report_id, section_no, heading, position, line, text from stg_sections
