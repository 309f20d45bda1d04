;;; smoke.el --- eglot in batch mode against threatls (run by emacs_test.go)  -*- lexical-binding: t; -*-

;; Environment: THREATLS_EL (editors/emacs/threatls.el), THREATLS_CMD (the binary),
;; THREATLS_LOG, SMOKE_FILE (a .tf file of a project), SMOKE_RESULT (where to write what was
;; seen, one line per diagnostic: "CODE<TAB>LINE<TAB>MESSAGE"), SMOKE_TIMEOUT (seconds),
;; SMOKE_WANT (how many threatls diagnostics to wait for: the first ones published while the
;; server still reads the workspace are those of the file alone).

(require 'eglot)
(require 'flymake)
(load (getenv "THREATLS_EL") nil t)
(setq threatls-command (list (getenv "THREATLS_CMD") "--log-file" (getenv "THREATLS_LOG") "--log-level" "debug" "serve"))
(setq eglot-sync-connect t)

(defun smoke-write (lines)
  (with-temp-file (getenv "SMOKE_RESULT")
    (insert (mapconcat #'identity lines "\n") "\n")))

(let* ((file (getenv "SMOKE_FILE"))
       (timeout (string-to-number (or (getenv "SMOKE_TIMEOUT") "30")))
       (deadline (+ (float-time) timeout))
       (want (max 1 (string-to-number (or (getenv "SMOKE_WANT") "1"))))
       (lines nil))
  (condition-case err
      (progn
        ;; The project is the file's directory tree: a .git marks its root.
        (find-file file)
        (unless (eq major-mode 'terraform-mode)
          (error "%s opened in %s, not terraform-mode" file major-mode))
        (apply #'eglot (eglot--guess-contact))
        (while (and (< (float-time) deadline)
                    (< (seq-count (lambda (d) (string-prefix-p "threatls" (flymake-diagnostic-text d)))
                                  (flymake-diagnostics))
                       want))
          (accept-process-output nil 0.1)
          (when (and flymake-mode (not (flymake-running-backends))) (flymake-start)))
        (dolist (d (flymake-diagnostics))
          (push (format "diagnostic\t%d\t%s"
                        (line-number-at-pos (flymake-diagnostic-beg d))
                        (flymake-diagnostic-text d))
                lines))
        (push (format "server\t%s" (ignore-errors (plist-get (eglot--server-info (eglot-current-server)) :name))) lines)
        (ignore-errors (eglot-shutdown (eglot-current-server))))
    (error (push (format "error\t%s" (error-message-string err)) lines)))
  (smoke-write (nreverse lines))
  (kill-emacs 0))
