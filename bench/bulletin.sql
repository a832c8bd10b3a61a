-- The weekly bulletin's figures in ONE hand-written statement (issue 7's yardstick for reports.figures).
-- Per squad: leaf-task counts, finding counts and the pressure gauge (median wait per hand-over level);
-- per campaign week: the trend (task completion, on-time rectification, open findings past deadline).
-- Parameters: campaign, week_end (date), end_dt (first instant after the week), start_dt, idle_days,
-- first_monday (date), weeks (count), tz.
WITH squads AS (
    SELECT id, path FROM accounts_unit WHERE kind = 'squad'
), unit_squad AS (
    SELECT u.id AS unit_id, s.id AS squad_id
    FROM accounts_unit u JOIN squads s ON u.path LIKE s.path || '%%'
), leaf AS (
    SELECT t.* FROM tasks_task t
    WHERE t.campaign_id = %(campaign)s
      AND NOT EXISTS (SELECT 1 FROM tasks_task c WHERE c.parent_id = t.id)
), task_rows AS (
    SELECT us.squad_id,
           count(*) FILTER (WHERE l.created_at < %(end_dt)s) AS tasks_total,
           count(*) FILTER (WHERE l.deadline <= %(week_end)s) AS tasks_due,
           count(*) FILTER (WHERE l.deadline <= %(week_end)s AND l.done_at < %(end_dt)s) AS tasks_done,
           count(*) FILTER (WHERE l.deadline <= %(week_end)s AND l.done_at < %(end_dt)s
                            AND (l.done_at AT TIME ZONE %(tz)s)::date <= l.deadline) AS tasks_done_on_time,
           count(*) FILTER (WHERE l.deadline <= %(week_end)s
                            AND NOT coalesce(l.done_at < %(end_dt)s, false)) AS tasks_overdue,
           count(*) FILTER (WHERE l.created_at < %(end_dt)s AND NOT coalesce(l.done_at < %(end_dt)s, false)
                            AND l.last_activity_at < %(end_dt)s - make_interval(days => %(idle_days)s))
               AS tasks_idle,
           avg(l.progress) FILTER (WHERE l.created_at < %(end_dt)s) AS progress_avg
    FROM leaf l JOIN unit_squad us ON us.unit_id = l.unit_id
    GROUP BY us.squad_id
), finding_rows AS (
    SELECT us.squad_id,
           count(*) FILTER (WHERE f.reported_at >= %(start_dt)s AND f.reported_at < %(end_dt)s AND f.tier = 1)
               AS findings_tier1,
           count(*) FILTER (WHERE f.reported_at >= %(start_dt)s AND f.reported_at < %(end_dt)s AND f.tier = 2)
               AS findings_tier2,
           count(*) FILTER (WHERE f.reported_at >= %(start_dt)s AND f.reported_at < %(end_dt)s AND f.tier = 3)
               AS findings_tier3,
           count(*) FILTER (WHERE f.reported_at < %(end_dt)s) AS findings_total,
           count(*) FILTER (WHERE f.reported_at < %(end_dt)s AND f.deadline < %(end_dt)s) AS findings_due,
           count(*) FILTER (WHERE f.reported_at < %(end_dt)s AND f.deadline < %(end_dt)s
                            AND f.status IN ('rectified', 'closed') AND f.rectified_at < %(end_dt)s
                            AND f.rectified_at <= f.deadline) AS rectified_on_time,
           count(*) FILTER (WHERE f.closed_at < %(end_dt)s) AS findings_closed,
           coalesce(sum(f.rework_count) FILTER (WHERE f.closed_at < %(end_dt)s), 0) AS reworks,
           count(*) FILTER (WHERE f.reported_at >= %(start_dt)s AND f.reported_at < %(end_dt)s AND f.is_rebound)
               AS rebounds_week,
           count(*) FILTER (WHERE f.reported_at < %(end_dt)s AND f.is_rebound) AS rebounds_total,
           count(*) FILTER (WHERE f.reported_at < %(end_dt)s AND f.status IN ('dispatched', 'returned')
                            AND f.deadline < %(end_dt)s) AS open_past_deadline
    FROM inspections_finding f JOIN unit_squad us ON us.unit_id = f.responsible_unit_id
    WHERE f.campaign_id = %(campaign)s
    GROUP BY us.squad_id
), gauge_rows AS (
    SELECT us.squad_id, t.level,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.first_response_at - t.assigned_at)
               FILTER (WHERE t.first_response_at < %(end_dt)s) AS median_wait,
           count(*) FILTER (WHERE NOT coalesce(t.first_response_at < %(end_dt)s, false)
                            AND NOT coalesce(t.done_at < %(end_dt)s, false)) AS waiting
    FROM tasks_task t JOIN unit_squad us ON us.unit_id = t.unit_id
    WHERE t.campaign_id = %(campaign)s AND t.level IN ('unit', 'personal') AND t.assigned_at < %(end_dt)s
    GROUP BY us.squad_id, t.level
), weeks AS (
    SELECT n, (%(first_monday)s::date + 7 * n + 6) AS week_end,
           ((%(first_monday)s::date + 7 * n + 7)::timestamp AT TIME ZONE %(tz)s) AS end_dt
    FROM generate_series(0, %(weeks)s - 1) AS n
), trend AS (
    SELECT w.n,
           (SELECT count(*) FILTER (WHERE l.deadline <= w.week_end)
                || ',' || count(*) FILTER (WHERE l.deadline <= w.week_end AND l.done_at < w.end_dt) FROM leaf l)
               AS tasks_due_done,
           (SELECT count(*) FILTER (WHERE f.reported_at < w.end_dt AND f.deadline < w.end_dt)
                || ',' || count(*) FILTER (WHERE f.reported_at < w.end_dt AND f.deadline < w.end_dt
                                           AND f.status IN ('rectified', 'closed') AND f.rectified_at < w.end_dt
                                           AND f.rectified_at <= f.deadline)
                || ',' || count(*) FILTER (WHERE f.reported_at < w.end_dt AND f.status IN ('dispatched', 'returned')
                                           AND f.deadline < w.end_dt)
            FROM inspections_finding f WHERE f.campaign_id = %(campaign)s) AS findings_due_ontime_open
    FROM weeks w
)
SELECT 'squad' AS kind, s.id AS key, row_to_json(t)::text, row_to_json(f)::text,
       (SELECT json_agg(g)::text FROM gauge_rows g WHERE g.squad_id = s.id)
FROM squads s LEFT JOIN task_rows t ON t.squad_id = s.id LEFT JOIN finding_rows f ON f.squad_id = s.id
UNION ALL
SELECT 'week', n, tasks_due_done, findings_due_ontime_open, NULL FROM trend
ORDER BY 1, 2;
