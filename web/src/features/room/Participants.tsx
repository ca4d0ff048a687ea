import type { Participant } from '../../api/types';

export function Participants({ people, you }: { people: Participant[]; you: Participant | null }) {
  return (
    <ul className="participants" aria-label="Participants">
      {people.map((p) => (
        <li key={p.id} title={`${p.name} (${p.role})`}>
          <span className="dot" style={{ background: p.colour }} />
          {p.name}
          {p.id === you?.id ? ' (you)' : ''}
          <span className="muted small"> {p.role}</span>
        </li>
      ))}
    </ul>
  );
}
