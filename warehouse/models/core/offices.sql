-- 机关名录 (office registry)
select office, region, office_kind from stg_offices
