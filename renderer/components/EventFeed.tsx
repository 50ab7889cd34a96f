// Notable events, newest first (capped and batched in the store).
import { fmtTimeOfDay } from '../lib/format.ts';
import { useFleet } from '../state/fleet-store.ts';

export function EventFeed() {
  const feed = useFleet((s) => s.feed);
  return (
    <section className="panel feed-panel">
      <div className="panel-title">
        <span>Events</span>
        <span className="muted">{feed.length || ''}</span>
      </div>
      <ol className="feed" data-testid="event-feed">
        {feed.length === 0 ? <li className="empty-cell">no events yet</li> : null}
        {feed.map((e) => (
          <li key={e.id} className={`feed-item lvl-${e.level}`} data-testid="event-item" data-kind={e.kind}>
            <span className="feed-time num">{fmtTimeOfDay(e.at)}</span>
            <span className="feed-dot" />
            <div className="feed-body">
              <div className="feed-title">{e.title}</div>
              {e.detail ? <div className="feed-detail">{e.detail}</div> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
