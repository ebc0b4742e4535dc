-- 暂存层：湖中 active_disclosure 表在最近一次提交中的全部 Parquet 文件 (staging: the lake table's parts as of the last commit)
select * from read_parquet({parts:active_disclosure}, union_by_name = true)
