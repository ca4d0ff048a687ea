import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api';
import { saveLogin, takeEndedReason } from '../auth/tokens';
import { useLogin } from '../auth/useLogin';
import { AuthForm } from './AuthForm';

export function LoginPage() {
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [notice] = useState(takeEndedReason);
  const back = (location.state as { from?: string } | null)?.from ?? '/dashboard';
  if (login) return <Navigate to={back} replace />;
  return (
    <AuthForm
      title="Log in"
      submitLabel="Log in"
      notice={notice}
      fields={[
        { name: 'email', label: 'E-mail', type: 'email', autoComplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
      ]}
      footer={
        <>
          New here? <Link to="/signup">Create an account</Link>
        </>
      }
      onSubmit={async ({ email, password }) => {
        const r = await api.login(email, password);
        saveLogin({ token: r.token, expiresAt: r.expiresAt, name: r.user.name, email: r.user.email });
        navigate(back, { replace: true });
      }}
    />
  );
}
