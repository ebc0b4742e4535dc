-- 机关名录：office, region, office_kind，以及别名 aliases、路径 paths（名录写入较早时无此两列）
-- (office registry; aliases and paths only once a registry with them was loaded)
select * from stg_offices
