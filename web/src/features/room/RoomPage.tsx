import { Suspense, lazy, useEffect, useState } from 'react';
import { Panel, PanelGroup, PanelResizeHandle } from 'react-resizable-panels';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, candidateApi } from '../../api';
import type { ApiClient } from '../../api/client';
import type { Session } from '../../api/types';
import { candidateToken, currentLogin, endLogin } from '../../auth/tokens';
import { LANGUAGES } from '../../lib/format';
import { ConfirmDialog } from '../dashboard/ConfirmDialog';
import { ProblemPanel, useRoomProblem } from '../problems/ProblemPanel';
import { RunPanel } from '../run/RunPanel';
import { Whiteboard } from '../whiteboard';
import type { ConnectionState } from './connection';
import { InterviewerPanel } from './InterviewerPanel';
import { Participants } from './Participants';
import { TimerView } from './TimerView';
import { useRoom } from './useRoom';

const CodeEditor = lazy(() => import('../editor/CodeEditor'));

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting… your edits are kept',
  offline: 'Offline: your edits are kept and sent when you reconnect',
};

const interviewerRefused = (message: string) => endLogin(`The room refused your login: ${message}`);
const candidateRefused = () => {};

/** Who is in the room and with which token, from the route. */
function useSeat(): { sessionId: string; token: string; client: ApiClient; interviewer: boolean } | { redirect: string } {
  const { id, token: invite } = useParams();
  if (id) {
    const login = currentLogin();
    if (!login) return { redirect: '/login' };
    return { sessionId: id, token: login.token, client: api, interviewer: true };
  }
  const stored = invite ? candidateToken(invite) : null;
  if (!stored) return { redirect: `/join/${invite ?? ''}` };
  return { sessionId: stored.sessionId, token: stored.token, client: candidateApi(stored.token), interviewer: false };
}

/** The interview room: editor, whiteboard, run panel, timer and people. */
export default function RoomPage() {
  const seat = useSeat();
  if ('redirect' in seat) return <Navigate to={seat.redirect} replace />;
  return <Room {...seat} />;
}

function Room(props: { sessionId: string; token: string; client: ApiClient; interviewer: boolean }) {
  const { sessionId, client, interviewer } = props;
  const navigate = useNavigate();
  const { connection, snapshot } = useRoom(sessionId, props.token, interviewer ? interviewerRefused : candidateRefused);
  const [session, setSession] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [terminating, setTerminating] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const problem = useRoomProblem(client, sessionId);
  const [tab, setTab] = useState<'board' | 'problem'>('problem');
  const joined = snapshot?.joined ?? false;
  const language = snapshot?.language ?? 'python';

  // The interviewer's client puts the starter code into an empty editor (one
  // client only, so two people joining at once cannot insert it twice).
  useEffect(() => {
    if (!interviewer || !connection || !joined || !problem || snapshot?.readOnly) return;
    const starter = problem.starterCode[language];
    const text = connection.doc.getText('code');
    if (starter && text.length === 0) text.insert(0, starter);
  }, [interviewer, connection, joined, problem, language, snapshot?.readOnly]);

  useEffect(() => {
    client.getSession(sessionId).then(setSession, (e) =>
      setLoadError(e instanceof ApiError ? e.message : 'Could not load the interview.'),
    );
  }, [client, sessionId]);

  async function terminate() {
    setConfirmEnd(false);
    setTerminating(true);
    try {
      await api.terminateSession(sessionId);
      navigate('/dashboard');
    } catch (e) {
      setLoadError(e instanceof ApiError ? e.message : 'Could not end the interview.');
      setTerminating(false);
    }
  }

  const fatal = snapshot?.fatal ?? loadError;
  if (fatal) {
    return (
      <main className="centered">
        <div className="card narrow" role="alert">
          <h1>The room is not available</h1>
          <p>{fatal}</p>
          {interviewer ? <Link to="/dashboard">Back to the dashboard</Link> : <p className="muted">You can close this tab.</p>}
        </div>
      </main>
    );
  }
  if (!connection || !snapshot || (!snapshot.joined && snapshot.connection === 'connecting')) {
    return <div className="page-loading">Joining the room…</div>;
  }

  const readOnly = snapshot.readOnly;
  return (
    <div className="room">
      <header className="topbar room-bar">
        {interviewer ? (
          <Link to="/dashboard" className="brand">
            DevInterview
          </Link>
        ) : (
          <span className="brand">DevInterview</span>
        )}
        <span className="room-title">{session?.title ?? 'Interview'}</span>
        <select
          aria-label="Language"
          value={snapshot.language}
          disabled={readOnly || !snapshot.joined}
          onChange={(e) => void connection.setLanguage(e.target.value)}
        >
          {LANGUAGES.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </select>
        <TimerView
          timer={snapshot.timer}
          clockOffsetMs={snapshot.clockOffsetMs}
          controls={interviewer}
          disabled={readOnly || !snapshot.joined}
          onControl={(a) => void connection.timer(a)}
        />
        <Participants people={snapshot.participants} you={snapshot.you} />
        <span className={`connection ${snapshot.connection}`} role="status" data-testid="connection">
          {CONNECTION_LABEL[snapshot.connection]}
          {snapshot.connection === 'connected' && snapshot.unsaved > 0 ? ' · saving…' : ''}
        </span>
      </header>
      {readOnly && <div className="banner">This interview has ended. The room is read-only.</div>}
      {snapshot.notice && (
        <div className="banner warn" role="alert">
          {snapshot.notice}
          <button type="button" onClick={() => connection.dismissNotice()} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <PanelGroup direction="horizontal" className="room-panels" autoSaveId="devinterview.room.h">
        <Panel defaultSize={55} minSize={25}>
          <PanelGroup direction="vertical" autoSaveId="devinterview.room.v">
            <Panel defaultSize={65} minSize={20}>
              <Suspense fallback={<div className="page-loading">Loading the editor…</div>}>
                <CodeEditor
                  text={connection.doc.getText('code')}
                  awareness={connection.awareness}
                  language={snapshot.language}
                  readOnly={readOnly}
                />
              </Suspense>
            </Panel>
            <PanelResizeHandle className="resize-handle horizontal" />
            <Panel defaultSize={35} minSize={15}>
              <RunPanel
                connection={connection}
                sessionId={sessionId}
                client={client}
                language={snapshot.language}
                runs={snapshot.runs}
                pendingRuns={snapshot.pendingRuns}
                readOnly={readOnly}
              />
            </Panel>
          </PanelGroup>
        </Panel>
        <PanelResizeHandle className="resize-handle vertical" />
        <Panel defaultSize={interviewer ? 33 : 45} minSize={20}>
          {problem && (
            <div className="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'problem'} onClick={() => setTab('problem')}>
                Problem
              </button>
              <button type="button" role="tab" aria-selected={tab === 'board'} onClick={() => setTab('board')}>
                Whiteboard
              </button>
            </div>
          )}
          {problem && tab === 'problem' && (
            <ProblemPanel
              problem={problem}
              sessionId={sessionId}
              client={client}
              interviewer={interviewer}
              language={snapshot.language}
              readOnly={readOnly}
              beforeRun={() => connection.settled()}
            />
          )}
          {/* Kept mounted while the problem tab shows, so drawing state is not lost. */}
          <div className={!problem ? 'board-panel full' : tab === 'board' ? 'board-panel' : 'hidden-panel'}>
            <Suspense fallback={<div className="page-loading">Loading the whiteboard…</div>}>
              <Whiteboard map={connection.doc.getMap('whiteboard')} readOnly={readOnly} />
            </Suspense>
          </div>
        </Panel>
        {interviewer && session && (
          <>
            <PanelResizeHandle className="resize-handle vertical" />
            <Panel defaultSize={12} minSize={10}>
              <InterviewerPanel session={session} onTerminate={() => setConfirmEnd(true)} terminating={terminating} />
            </Panel>
          </>
        )}
      </PanelGroup>
      {confirmEnd && (
        <ConfirmDialog
          title="End the interview?"
          message="The room becomes read-only for everyone and the timer stops. The code, whiteboard and runs stay available in the review."
          confirmLabel="End interview"
          onCancel={() => setConfirmEnd(false)}
          onConfirm={() => void terminate()}
        />
      )}
    </div>
  );
}
