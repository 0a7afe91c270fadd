import java.net.InetAddress;
import spread.MembershipInfo;
import spread.SpreadConnection;
import spread.SpreadGroup;
import spread.SpreadMessage;

/**
 * A scripted session on Spread 4.4.0's own Java client library (java/spread in the tarball), for
 * consortd's compatibility tests: connect as NAME to PORT on loopback, join GROUP, print the
 * membership, multicast one AGREED message of type 21, print it when it comes back, print the
 * next message of another sender, leave, print the self-leave, disconnect. One line per event.
 * Usage: java SpJavaProbe PORT NAME GROUP
 */
public final class SpJavaProbe {
    public static void main(String[] args) throws Exception {
        SpreadConnection c = new SpreadConnection();
        c.connect(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[0]), args[1], false, true);
        System.out.println("CONNECTED " + c.getPrivateGroup());
        SpreadGroup g = new SpreadGroup();
        g.join(c, args[2]);
        print(c.receive());
        SpreadMessage m = new SpreadMessage();
        m.addGroup(args[2]);
        m.setAgreed();
        m.setType((short) 21);
        m.setData("from-java".getBytes("US-ASCII"));
        c.multicast(m);
        SpreadMessage own = c.receive();
        print(own);
        while (true) {
            SpreadMessage r = c.receive();
            print(r);
            if (r.isRegular() && !r.getSender().equals(c.getPrivateGroup())) {
                break;
            }
        }
        g.leave();
        while (true) {
            SpreadMessage r = c.receive();
            print(r);
            if (r.isMembership() && r.getMembershipInfo().isSelfLeave()) {
                break;
            }
        }
        c.disconnect();
        System.out.println("DONE");
    }

    private static void print(SpreadMessage r) throws Exception {
        if (r.isRegular()) {
            System.out.println("MSG sender=" + r.getSender() + " agreed=" + r.isAgreed() + " type=" + r.getType()
                    + " text=" + new String(r.getData(), "US-ASCII"));
        } else if (r.isMembership()) {
            MembershipInfo i = r.getMembershipInfo();
            if (i.isSelfLeave()) {
                System.out.println("SELFLEAVE group=" + i.getGroup());
                return;
            }
            StringBuilder members = new StringBuilder();
            for (SpreadGroup s : i.getMembers()) {
                members.append(members.length() == 0 ? "" : ",").append(s);
            }
            String cause = i.isCausedByJoin() ? "JOIN" : i.isCausedByLeave() ? "LEAVE"
                    : i.isCausedByDisconnect() ? "DISCONNECT" : "NETWORK";
            SpreadGroup changed = i.isCausedByJoin() ? i.getJoined() : i.isCausedByLeave() ? i.getLeft()
                    : i.isCausedByDisconnect() ? i.getDisconnected() : null;
            System.out.println("MEMB group=" + i.getGroup() + " cause=" + cause + " members=" + members
                    + " changed=" + changed);
        } else {
            System.out.println("OTHER service=" + r.getServiceType());
        }
    }
}
