<?php

declare(strict_types=1);

namespace Drupal\library_loans\Controller;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Link;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\Url;
use Drupal\library_loans\FineCalculator;
use Drupal\library_loans\LoanManagerInterface;
use Drupal\user\UserInterface;

/**
 * Shows one borrower's books on loan, with renew links and fines.
 *
 * Services arrive through ControllerBase's autowiring.
 */
class BorrowerController extends ControllerBase {

  public function __construct(
    protected readonly LoanManagerInterface $loans,
    protected readonly FineCalculator $fines,
    protected readonly DateFormatterInterface $dateFormatter,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Lets borrowers see their own loans and librarians anyone's.
   */
  public function access(UserInterface $user, AccountInterface $account): AccessResultInterface {
    return AccessResult::allowedIf((int) $user->id() === (int) $account->id() && $account->hasPermission('borrow books'))
      ->orIf(AccessResult::allowedIfHasPermission($account, 'manage library loans'))
      ->cachePerUser();
  }

  /**
   * Builds the table of open loans.
   */
  public function overview(UserInterface $user): array {
    $loans = $this->loans->openLoansForBorrower((int) $user->id());
    $books = $this->entityTypeManager()->getStorage('node')
      ->loadMultiple(array_map(static fn ($loan) => $loan->nid, $loans));
    $now = $this->time->getRequestTime();

    $rows = [];
    foreach ($loans as $loan) {
      $rows[] = [
        isset($books[$loan->nid]) ? $books[$loan->nid]->toLink() : $this->t('Deleted book'),
        $this->dateFormatter->format($loan->due, 'custom', 'j M Y'),
        $loan->isOverdue($now) ? $this->fines->format($this->fines->fineFor($loan)) : '',
        Link::fromTextAndUrl($this->t('Renew'), Url::fromRoute('library_loans.renew', ['loan_id' => $loan->id])),
      ];
    }

    return [
      'loans' => [
        '#type' => 'table',
        '#header' => [$this->t('Book'), $this->t('Due'), $this->t('Fine'), $this->t('Operations')],
        '#rows' => $rows,
        '#empty' => $this->t('No books on loan.'),
      ],
      'total' => [
        '#type' => 'html_tag',
        '#tag' => 'p',
        '#value' => $this->t('Outstanding fines: @total', ['@total' => $this->fines->format($this->fines->total($loans))]),
      ],
      '#cache' => [
        'tags' => ['library_loans:user:' . $user->id()],
        'max-age' => 3600,
      ],
    ];
  }

}
