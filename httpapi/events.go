package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListEvents(r.Context(), actor, r.PathValue("slug"), orgs.EventQuery{Type: orgs.EventType(query(r, "type")), Page: page})
	if err != nil {
		return err
	}
	for i := range l.Data {
		if l.Data[i].Data == nil {
			l.Data[i].Data = map[string]string{}
		}
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}
