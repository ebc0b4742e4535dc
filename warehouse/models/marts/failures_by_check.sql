-- 各地区各年度按检查项统计的不通过情况：以各机关该年度最新版本计，已排除（dismissed）的问题不计。
-- (failures by check per region and year, newest versions only, dismissed findings left out)
select region, report_year, check_id, any_value(check_title) as check_title, any_value(severity) as severity,
       count(distinct office) as offices_failing, count(*) as results_failing
from findings
where is_latest and not dismissed and office is not null
group by region, report_year, check_id
