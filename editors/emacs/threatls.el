;;; threatls.el --- threatls with eglot or lsp-mode  -*- lexical-binding: t; -*-

;; Load this file (M-x load-file, or (load "/path/to/editors/emacs/threatls.el") in your init
;; file). It registers `threatls serve' with eglot (Emacs 29 has it built in; Debian's
;; elpa-eglot for Emacs 28) and, when lsp-mode is installed, with lsp-mode. Then M-x eglot
;; (or M-x lsp) in a Terraform, YAML, Dockerfile or Markdown buffer.
;;
;; eglot runs one server per major mode and project. threatls builds one model of the whole
;; repository, so several modes sharing one server is what you want: the modes are listed
;; together below, which makes eglot start a single threatls for all of them.

;;; Code:

(defgroup threatls nil
  "Threat modeling from the code: the threatls language server."
  :group 'tools)

(defcustom threatls-command '("threatls" "serve")
  "The command that runs the threatls language server.
Global flags go before serve, e.g. (\"threatls\" \"--log-file\" \"/tmp/threatls.log\" \"serve\")."
  :type '(repeat string))

(defcustom threatls-settings '(:threatls (:minSeverity "low"))
  "The server's settings: initializationOptions, and answers to workspace/configuration.
Keys are those of the README's table: minSeverity, disable, exclude, maxFileSize."
  :type 'sexp)

(defconst threatls-modes
  '(terraform-mode hcl-mode yaml-mode yaml-ts-mode dockerfile-mode dockerfile-ts-mode
    markdown-mode gfm-mode)
  "Major modes of the files threatls reads.")

;; Without a Terraform mode installed, .tf files still need a major mode eglot can map to
;; threatls (and whose name gives the languageId "terraform").
(unless (fboundp 'terraform-mode)
  (define-derived-mode terraform-mode prog-mode "Terraform"
    "A minimal mode for Terraform files, so that threatls reads them."
    (setq-local comment-start "# "))
  (add-to-list 'auto-mode-alist '("\\.tf\\'" . terraform-mode)))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               (cons threatls-modes
                     (lambda (&rest _)
                       (append threatls-command
                               (list :initializationOptions threatls-settings)))))
  (setq-default eglot-workspace-configuration threatls-settings))

(with-eval-after-load 'lsp-mode
  (dolist (m threatls-modes)
    (add-to-list 'lsp-language-id-configuration
                 (cons m (if (memq m '(terraform-mode hcl-mode)) "terraform" (string-remove-suffix "-mode" (symbol-name m))))))
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () threatls-command))
    :activation-fn (lambda (file _mode)
                     (string-match-p "\\(\\.tf\\|\\.ya?ml\\|\\.md\\|\\.otm\\.json\\|Dockerfile\\)\\'" file))
    :initialization-options (lambda () threatls-settings)
    :add-on? t ; beside terraform-ls, yaml-language-server…
    :server-id 'threatls)))

(provide 'threatls)
;;; threatls.el ends here
