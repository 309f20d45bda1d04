package corpus;

import io.grpc.stub.StreamObserver;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import org.springframework.security.access.annotation.Secured;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/items")
class ItemController {
    @PutMapping("/{id}")
    @Secured("ROLE_ADMIN")
    void put(@PathVariable String id) {}

    @DeleteMapping("/{id}")
    void delete(@PathVariable String id) {}

    @PatchMapping("/{id}")
    void patch(@PathVariable String id) {}
}

@Path("/jaxrs")
class Resource {
    @GET
    @Path("/items")
    @PermitAll
    public String list() { return ""; }

    @POST
    @RolesAllowed("admin")
    public String create() { return ""; }

    @PUT
    public String update() { return ""; }

    @DELETE
    public String remove() { return ""; }
}

@javax.ws.rs.Path("/legacy")
class LegacyResource {
    @javax.ws.rs.GET
    @javax.ws.rs.Path("/a")
    @javax.annotation.security.PermitAll
    public String a() { return ""; }

    @javax.ws.rs.POST
    @javax.annotation.security.RolesAllowed("admin")
    public String b() { return ""; }
}

@WebServlet("/upload")
class UploadServlet extends HttpServlet {
    protected void doPost(Object req, Object resp) {}
}

class OrdersImpl extends OrdersGrpc.OrdersImplBase {}
