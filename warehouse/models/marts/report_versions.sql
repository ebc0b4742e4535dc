-- 报告版本一览：有机关的报告版本各一行，按机关、年度、版本排序存放。
-- 站点逐批机关绘制页面时只读这批机关所在的行组，不必每批都重新为全省报告编号。
-- (the report versions of known offices, stored in office order: the site reads a chunk of offices
-- from the row groups holding them instead of numbering every version of the province per chunk)
select report_id, office, report_year, published_at, title, is_latest, versions, version_no,
       template, template_variant, printed_form, published_source
from reports
where office is not null
order by office, report_year, version_no
