import { Link } from 'react-router-dom';
import { endLogin } from '../auth/tokens';
import { useLogin } from '../auth/useLogin';

export function TopBar(props: { children?: React.ReactNode }) {
  const login = useLogin();
  return (
    <header className="topbar">
      <Link to="/dashboard" className="brand">
        DevInterview
      </Link>
      <nav className="topbar-middle row">
        {login && <Link to="/dashboard">Interviews</Link>}
        {login && <Link to="/problems">Problems</Link>}
        {props.children}
      </nav>
      {login && (
        <div className="row">
          <span className="muted">{login.name}</span>
          <button type="button" onClick={() => endLogin()}>
            Log out
          </button>
        </div>
      )}
    </header>
  );
}
